import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from matrix_portal import views

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "matrix_portal.settings.production",
    "SECRET_KEY": "x7Kp2-production-like-secret-9QwZr4Lm8Nv3Bt6Yh1Jd5Fs0Gc-ExAmPlE",
    "ALLOWED_HOSTS": "matrix.example.my",
    "CSRF_TRUSTED_ORIGINS": "https://matrix.example.my",
    "DATABASE_URL": "sqlite:////tmp/matrix-portal-deploy-check.sqlite3",
    "DEBUG": "false",
}


def _manage(*args, extra_env=None):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(PRODUCTION_ENV)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer(client, settings):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    data = response.json()
    assert data["database"] == "ok"
    assert data["broker"] in {"ok", "in-process"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(views, "_database_ok", lambda: False)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_a_missing_secret():
    result = _manage("check", extra_env={"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_debug():
    result = _manage("check", extra_env={"DEBUG": "true"})
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_does_not_route_the_outbox_or_the_simulator():
    code = (
        "import django; django.setup(); from django.urls import resolve, Resolver404\n"
        "for path in ['/dev/outbox/', '/fpx-simulator/']:\n"
        "    try:\n        resolve(path); print('ROUTED', path)\n"
        "    except Resolver404:\n        print('absent', path)\n"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "ROUTED" not in result.stdout
