"""Uploaded documents: type from content, re-encoded images, PDF header, size limits, safe names."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from contributions import documents
from contributions.documents import download_name, inspect_upload, safe_name
from tests.contributions import files

MB3 = 3 * 1024 * 1024


def refused(name, content, code):
    with pytest.raises(ValidationError) as caught:
        inspect_upload(files.upload(name, content))
    assert caught.value.code == code
    return caught.value


@pytest.mark.parametrize(
    ("maker", "content_type"),
    [(files.jpeg_bytes, "image/jpeg"), (files.png_bytes, "image/png"), (files.gif_bytes, "image/gif")],
)
def test_images_are_accepted_by_content_and_encoded_again(maker, content_type):
    checked = inspect_upload(files.upload("photo.bin", maker()))
    assert checked.content_type == content_type
    reopened = Image.open(io.BytesIO(checked.content))
    reopened.load()
    assert checked.size == len(checked.content)
    assert len(checked.sha256) == 64


def test_pdf_accepted_as_it_is_when_the_header_is_at_offset_zero():
    content = files.pdf_bytes()
    checked = inspect_upload(files.upload("licence.pdf", content))
    assert checked.content_type == "application/pdf"
    assert checked.content == content


def test_pdf_header_after_junk_is_refused():
    refused("licence.pdf", b"\n\n" + files.pdf_bytes(), "type")


@pytest.mark.parametrize("name", [b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile"])
def test_pdf_with_scripts_or_embedded_files_is_refused(name):
    refused("licence.pdf", files.pdf_bytes(b"3 0 obj << /S " + name + b" (x) >> endobj\n"), "pdf_active")


def test_exif_is_stripped_from_jpeg():
    original = files.jpeg_with_gps()
    assert b"SecretPhoneMaker" in original
    checked = inspect_upload(files.upload("ic.jpg", original))
    assert b"SecretPhoneMaker" not in checked.content
    assert b"GPS-TRACKER-SOFTWARE" not in checked.content
    assert not Image.open(io.BytesIO(checked.content)).getexif()


def test_png_with_appended_html_comes_out_without_it():
    checked = inspect_upload(files.upload("ic.png", files.png_bytes() + b"<script>alert(1)</script>"))
    assert b"<script>" not in checked.content


def test_gif_js_polyglot_is_re_encoded_without_its_script():
    polyglot = files.gif_js_polyglot()
    assert polyglot.startswith(b"GIF89a/*") and b"alert(" in polyglot
    checked = inspect_upload(files.upload("badge.gif", polyglot))
    assert checked.content_type == "image/gif"
    assert b"alert" not in checked.content
    assert b"polyglot" not in checked.content


def test_file_of_exactly_3_mb_passes_the_size_check_and_one_byte_more_is_refused():
    at_limit = files.pdf_bytes() + b"%" * (MB3 - len(files.pdf_bytes()))
    assert len(at_limit) == MB3
    assert inspect_upload(files.upload("big.pdf", at_limit)).size == MB3
    refused("big.pdf", at_limit + b"%", "too_big")


def test_empty_file_is_refused():
    refused("empty.pdf", b"", "empty")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ic.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200),  # Windows executable
        ("ic.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),  # Linux executable
        ("ic.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        (
            "ic.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        ("ic.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("ic.jpg", b"just some text"),
    ],
)
def test_other_content_is_refused_whatever_its_name(name, content):
    error = refused(name, content, "type")
    assert "JPEG, PNG, GIF or PDF" in str(error.message)


def test_decompression_bomb_is_refused_before_decoding():
    bomb = files.png_bomb()
    assert len(bomb) < 200
    refused("bomb.png", bomb, "pixels")


def test_pillow_bomb_warning_is_an_error_even_under_our_cap(monkeypatch):
    monkeypatch.setattr(documents, "MAX_PIXELS", 10**12)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    refused("big.png", files.png_bytes(size=(40, 30)), "pixels")


def test_truncated_jpeg_is_refused():
    whole = files.jpeg_bytes(size=(400, 300))
    refused("ic.jpg", whole[: len(whole) // 2], "damaged")


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\ic.jpg", "ic.jpg"),
        ("ic\r\nSet-Cookie: a=1.jpg", "icSet-Cookie a=1.jpg"),
        ("ic\r\nContent-Type: text/html.jpg", "html.jpg"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ('my "ic".jpg', "my ic.jpg"),
        ("", "document"),
        ("\u202e\r\n", "document"),
    ],
)
def test_hostile_names_are_made_harmless(hostile, expected):
    assert safe_name(hostile) == expected


def test_long_names_keep_their_extension():
    name = safe_name("a" * 300 + ".jpeg")
    assert len(name) <= documents.MAX_NAME_LENGTH
    assert name.endswith(".jpeg")


def test_download_name_uses_the_real_type():
    assert download_name("photo.pdf", "image/png") == "photo.png"
    assert download_name("noext", "application/pdf") == "noext.pdf"
