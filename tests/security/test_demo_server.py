"""What a web scanner sees of `make run` (matrix_portal.settings.dev): no debug pages unless asked for.

The development settings are loaded in a child process (settings are read once per process), against the
test database, and asked the things a scanner asks: a page that does not exist, a foreign Host header, a
static file and the home page.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(raise_request_exception=False)
answers = {"DEBUG": settings.DEBUG}
for name, path, extra in [
    ("missing", "/wp-admin/setup-config.php?step=1", {}),
    ("foreign_host", "/", {"HTTP_HOST": "scanner.example"}),
    ("static", "/static/css/portal.css", {}),
    ("home", "/", {}),
]:
    response = client.get(path, **extra)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    answers[name] = {"status": response.status_code, "body": body.decode(errors="replace")}
    if name == "home":
        answers["csrf_cookie_httponly"] = bool(response.cookies[settings.CSRF_COOKIE_NAME]["httponly"])
print(json.dumps(answers))
"""


def dev_settings_process(**env_extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    settings = connection.settings_dict
    env.update(
        DJANGO_SETTINGS_MODULE="matrix_portal.settings.dev",
        DATABASE_URL=(
            f"postgresql://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST'] or '127.0.0.1'}"
            f":{settings['PORT'] or 5432}/{settings['NAME']}"
        ),
        REDIS_URL="",
        PYTHONPATH=str(REPO),
        **env_extra,
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


DEBUG_MARKERS = ("URLconf", "Django tried these URL patterns", "DisallowedHost", "Traceback", "SECRET_KEY")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_make_run_shows_a_scanner_no_debug_page():
    answers = dev_settings_process()

    assert answers["DEBUG"] is False
    assert answers["missing"]["status"] == 404
    assert answers["foreign_host"]["status"] == 400
    for name in ("missing", "foreign_host"):
        body = answers[name]["body"]
        assert not [marker for marker in DEBUG_MARKERS if marker in body], name
        assert "counter/" not in body and "fpx-simulator/" not in body  # no list of the URL patterns
    # The portal still looks like itself: WhiteNoise serves the static files without collectstatic.
    assert answers["static"]["status"] == 200
    assert ".portal" in answers["static"]["body"] or "body" in answers["static"]["body"]
    assert answers["home"]["status"] == 200
    assert "/static/css/portal.css" in answers["home"]["body"]
    assert answers["csrf_cookie_httponly"] is True  # a web scanner's finding on the first run (wapiti)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_debug_is_only_on_when_asked_for():
    answers = dev_settings_process(DEBUG="true")

    assert answers["DEBUG"] is True
    assert (
        "Django tried these URL patterns" in answers["missing"]["body"]
    )  # what the default spares a scanner
