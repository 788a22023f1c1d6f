"""Server-to-server HTTP with FPX: form POSTs with NVP bodies.

`transport` is the one seam: tests replace it to route requests through Django's test client instead of
the network. The simulator uses the same function for its direct AC.
"""

import logging
from collections.abc import Callable, Mapping

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


class GatewayUnavailable(Exception):
    """No usable HTTP answer: connection refused, timeout, or a non-2xx status."""


def _requests_transport(url: str, data: Mapping[str, str], timeout: float) -> tuple[int, str]:
    response = requests.post(url, data=dict(data), timeout=timeout, allow_redirects=False)
    return response.status_code, response.text


transport: Callable[[str, Mapping[str, str], float], tuple[int, str]] = _requests_transport


def post_form(url: str, data: Mapping[str, str], *, timeout: float | None = None) -> str:
    """POST `data` form-encoded to `url` and return the body of a 2xx answer."""
    try:
        status, body = transport(url, data, timeout or settings.FPX_HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise GatewayUnavailable(f"{url}: {exc.__class__.__name__}") from exc
    if not 200 <= status < 300:
        raise GatewayUnavailable(f"{url}: HTTP {status}")
    return body
