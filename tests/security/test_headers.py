"""Security headers and cookies under the production settings (in a subprocess, as production loads them)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.portal.test_health_and_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
client = Client(HTTP_HOST="matrix.example.my")
home = client.get("/", secure=True)
plain = client.get("/", secure=False)
lang = client.post("/language/", {"language": "ms", "next": "/"}, secure=True)
print(json.dumps({
    "status": home.status_code,
    "headers": dict(home.headers),
    "cookies": {name: dict(morsel) for name, morsel in home.cookies.items()},
    "lang_cookies": {name: dict(morsel) for name, morsel in lang.cookies.items()},
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
}))
"""


@pytest.fixture(scope="module")
def production_response():
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(PRODUCTION_ENV)
    env["DATABASE_URL"] = "sqlite:////tmp/matrix-portal-header-probe.sqlite3"
    env["STATIC_ROOT"] = "/tmp/matrix-portal-header-probe-static"
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_is_enforced(production_response):
    assert production_response["plain_status"] == 301
    assert production_response["plain_location"].startswith("https://")


def test_hsts_for_at_least_a_year(production_response):
    hsts = production_response["headers"]["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 31536000
    assert "includeSubDomains" in hsts


def test_framing_sniffing_and_referrer(production_response):
    headers = production_response["headers"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_csp_has_no_unsafe_inline(production_response):
    csp = production_response["headers"]["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


def test_cookies_are_host_prefixed_secure_and_http_only(production_response):
    cookies = {**production_response["cookies"], **production_response["lang_cookies"]}
    assert "__Host-csrftoken" in cookies
    for name, cookie in cookies.items():
        assert cookie["secure"], name
        assert cookie["httponly"], name
        if name.startswith("__Host-"):
            assert cookie["path"] == "/", name
            assert not cookie["domain"], name
