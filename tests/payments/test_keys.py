"""Key material: generated for the simulator on first use, never silently in production."""

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from payments import fpx, keys


@pytest.fixture
def key_dir(settings, tmp_path):
    folder = tmp_path / "fpx"
    settings.FPX_KEY_DIR = folder
    settings.FPX_MERCHANT_KEY_PATH = folder / "merchant.key"
    settings.FPX_MERCHANT_CERT_PATH = folder / "merchant.cer"
    settings.FPX_GATEWAY_KEY_PATH = folder / "fpx_simulator.key"
    settings.FPX_GATEWAY_CERT_PATH = folder / "fpx_current.cer"
    return folder


def test_keys_are_generated_on_first_use_with_the_simulator(key_dir):
    private = keys.merchant_private_key()
    assert (key_dir / "merchant.key").exists() and (key_dir / "merchant.cer").exists()
    assert stat.S_IMODE((key_dir / "merchant.key").stat().st_mode) == 0o600
    checksum = fpx.sign("a|b", private)
    assert fpx.verify("a|b", checksum, keys.merchant_public_keys())
    gateway = keys.gateway_private_key()
    assert fpx.verify("c", fpx.sign("c", gateway), keys.gateway_public_keys())
    assert not fpx.verify("c", fpx.sign("c", gateway), keys.merchant_public_keys())


def test_production_never_generates_keys(key_dir, settings):
    settings.FPX_SIMULATOR_ENABLED = False
    with pytest.raises(ImproperlyConfigured):
        keys.merchant_private_key()
    with pytest.raises(ImproperlyConfigured):
        keys.gateway_public_keys()
    assert not key_dir.exists() or not any(key_dir.iterdir())


def test_production_verifies_with_the_configured_certificate_only(key_dir, settings):
    call_command("fpx_keys")
    settings.FPX_SIMULATOR_ENABLED = False
    (key_dir / "fpx_simulator.key").unlink()  # production has FPX's certificate, never its key
    assert len(keys.gateway_public_keys()) == 1


def test_previous_certificate_is_accepted_during_a_rollover(key_dir, settings, tmp_path):
    call_command("fpx_keys")
    old_key = keys.gateway_private_key()
    old_cert = tmp_path / "fpx_old.cer"
    old_cert.write_bytes(settings.FPX_GATEWAY_CERT_PATH.read_bytes())
    call_command("fpx_keys", "--force")
    assert not fpx.verify("x", fpx.sign("x", old_key), keys.gateway_public_keys())
    settings.FPX_GATEWAY_CERT_OLD_PATH = str(old_cert)
    assert fpx.verify("x", fpx.sign("x", old_key), keys.gateway_public_keys())


def test_fpx_keys_command_keeps_existing_keys_unless_forced(key_dir, capsys):
    call_command("fpx_keys")
    first = (key_dir / "merchant.key").read_bytes()
    call_command("fpx_keys")
    assert (key_dir / "merchant.key").read_bytes() == first
    assert "kept" in capsys.readouterr().out
    call_command("fpx_keys", "--force")
    assert (key_dir / "merchant.key").read_bytes() != first


def test_key_folder_is_ignored_by_git():
    from pathlib import Path

    ignored = (Path(__file__).resolve().parents[2] / ".gitignore").read_text().split()
    assert "var/" in ignored
