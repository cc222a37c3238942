"""Images in Markdown: only real JPEG, PNG and WebP, re-encoded without metadata, served back."""

import re
import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

UPLOAD = "/markdownx/upload/"


def png_bytes(size=(40, 30), text=None):
    info = PngInfo()
    if text:
        info.add_text("Comment", text)
    out = BytesIO()
    Image.new("RGB", size, (30, 90, 100)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_exif():
    exif = Image.Exif()
    exif[0x013B] = "Dr. Secret Author"  # Artist
    exif[0x010E] = "patient photo taken at home"  # ImageDescription
    out = BytesIO()
    Image.new("RGB", (50, 50), (200, 10, 10)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def pixel_bomb(side=30_000):
    """A tiny PNG file that claims to be side × side pixels."""
    data = bytearray(png_bytes((1, 1)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", side, side)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def upload(client, name, content, content_type):
    return client.post(
        UPLOAD,
        {"image": SimpleUploadedFile(name, content, content_type=content_type)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
            "not a JPEG, PNG or WebP image",
        ),
        (
            "photo.png",
            b"<html><body><script>alert(1)</script></body></html>",
            "image/png",
            "not a JPEG, PNG or WebP image",
        ),
        ("huge.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (6 * 1024 * 1024), "image/png", "larger than 5 MB"),
        ("bomb.png", pixel_bomb(), "image/png", "far too many pixels"),
        ("big.png", pixel_bomb(6000), "image/png", "6000 × 6000 pixels"),
    ],
    ids=["svg", "html named png", "6 MB", "pixel bomb", "over the pixel limit"],
)
def test_unsafe_or_oversized_uploads_are_refused(
    editor_client, settings, name, content, content_type, message
):
    response = upload(editor_client, name, content, content_type)
    assert response.status_code == 400
    assert message in response.json()["image"][0]
    assert not (settings.MEDIA_ROOT / "uploads").exists() or not any(
        (settings.MEDIA_ROOT / "uploads").iterdir()
    )


def test_gif_is_refused(editor_client):
    out = BytesIO()
    Image.new("P", (10, 10)).save(out, format="GIF")
    response = upload(editor_client, "moving.gif", out.getvalue(), "image/gif")
    assert response.status_code == 400 and "GIF images cannot be used" in response.json()["image"][0]


def test_a_good_png_comes_back_re_encoded_without_metadata(editor_client, client, settings):
    settings.SERVE_MEDIA = True
    response = upload(
        editor_client, "My Patient Photo.png", png_bytes(text="patient: Jamie Rivera"), "image/png"
    )
    assert response.status_code == 200
    code = response.json()["image_code"]
    url = re.fullmatch(r"!\[\]\((/media/uploads/[0-9a-f]{32}\.png)\)", code).group(1)
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    stored = b"".join(served.streaming_content)
    assert b"Jamie Rivera" not in stored and b"Comment" not in stored
    with Image.open(BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (40, 30) and not image.text


def test_a_jpeg_loses_its_exif(editor_client, settings):
    response = upload(editor_client, "x.jpg", jpeg_with_exif(), "image/jpeg")
    path = settings.MEDIA_ROOT / response.json()["image_code"][len("![](/media/") : -1]
    stored = path.read_bytes()
    assert b"Dr. Secret Author" not in stored and b"patient photo" not in stored
    with Image.open(path) as image:
        assert image.format == "JPEG" and not image.getexif()


def test_webp_is_accepted(editor_client):
    out = BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(out, format="WEBP")
    assert (
        upload(editor_client, "a.webp", out.getvalue(), "image/webp").json()["image_code"].endswith(".webp)")
    )


def test_uploads_need_an_editor(client, staff_without_edit):
    assert upload(client, "a.png", png_bytes(), "image/png").status_code == 403
    client.force_login(staff_without_edit)
    assert upload(client, "a.png", png_bytes(), "image/png").status_code == 403


def test_media_is_not_served_by_django_unless_asked(client, settings, editor_client):
    settings.SERVE_MEDIA = True
    url = re.search(
        r"\((.*)\)", upload(editor_client, "a.png", png_bytes(), "image/png").json()["image_code"]
    )[1]
    settings.SERVE_MEDIA = False
    assert client.get(url).status_code == 404
