"""Images in Markdown: only real JPEG, PNG and WebP, re-encoded without metadata, served back."""

import re
import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

UPLOAD = "/markdownx/upload/"
# What the editor inserts: a prompt the plain-language check flags until the author describes the image.
IMAGE_CODE = re.compile(r"!\[Describe this image\]\((/media/(uploads/[0-9a-f]{32}\.(?:png|jpg|webp)))\)")


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


def stored_file(settings, response):
    """The stored file an upload's image code points to."""
    assert response.status_code == 200, response.content
    return settings.MEDIA_ROOT / IMAGE_CODE.fullmatch(response.json()["image_code"]).group(2)


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
    url = IMAGE_CODE.fullmatch(code).group(1)
    assert url.endswith(".png")
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    stored = b"".join(served.streaming_content)
    assert b"Jamie Rivera" not in stored and b"Comment" not in stored
    with Image.open(BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (40, 30) and not image.text


def test_a_jpeg_loses_its_exif(editor_client, settings):
    response = upload(editor_client, "x.jpg", jpeg_with_exif(), "image/jpeg")
    path = stored_file(settings, response)
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


# Hidden payloads: whatever metadata an upload carries, the stored file holds pixels only. -------------

SCRIPT = b"<script>alert(1)</script>"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b"<rdf:Description>Dr. Hidden Photographer " + SCRIPT + b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)
IPTC_CAPTION = b"Jamie Rivera, patient, session 3"
PAYLOADS = [SCRIPT, b"alert(1)", b"Dr. Hidden Photographer", IPTC_CAPTION, b"xmpmeta", b"Photoshop", b"8BIM"]


def srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_segments(*segments):
    """A JPEG with the given segments inserted by hand right after its JFIF header (APP0)."""
    out = BytesIO()
    Image.new("RGB", (48, 32), (20, 120, 60)).save(out, format="JPEG")
    data = out.getvalue()
    assert data[2:4] == b"\xff\xe0"
    after_app0 = 4 + struct.unpack(">H", data[4:6])[0]
    return data[:after_app0] + b"".join(segments) + data[after_app0:]


def iptc_app13():
    """A Photoshop (APP13) segment holding an IPTC caption, as photo tools write it."""
    iptc = b"\x1c\x02\x78" + struct.pack(">H", len(IPTC_CAPTION)) + IPTC_CAPTION  # 2:120 caption
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    return jpeg_segment(0xED, b"Photoshop 3.0\x00" + resource + b"\x00" * (len(resource) % 2))


def jpeg_markers(data):
    """Every marker in a JPEG stream, with the start of its segment's payload, in order."""
    assert data[:2] == b"\xff\xd8"
    markers, i = [], 2
    while i < len(data):
        assert data[i] == 0xFF, f"not a marker at byte {i}"
        while data[i + 1] == 0xFF:  # fill bytes
            i += 1
        marker = data[i + 1]
        if marker == 0xD9:  # end of image
            markers.append((marker, b""))
            break
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        markers.append((marker, data[i + 4 : i + 4 + 14]))
        i += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            while not (data[i] == 0xFF and data[i + 1] != 0x00 and not 0xD0 <= data[i + 1] <= 0xD7):
                i += 1
    return markers


def png_chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, i = [], 8
    while i < len(data):
        length = struct.unpack(">I", data[i : i + 4])[0]
        chunks.append(data[i + 4 : i + 8])
        i += 12 + length
    return chunks


def webp_chunks(data):
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, i = [], 12
    while i < len(data):
        size = struct.unpack("<I", data[i + 4 : i + 8])[0]
        chunks.append(data[i : i + 4])
        i += 8 + size + size % 2
    return chunks


def assert_no_payload(stored):
    for payload in PAYLOADS:
        assert payload not in stored, f"{payload!r} survived in the stored image"


def assert_clean_jpeg(stored):
    markers = jpeg_markers(stored)
    assert all(marker != 0xFE for marker, _ in markers), "a comment (COM) segment survived"
    app_segments = [(marker, start) for marker, start in markers if 0xE0 <= marker <= 0xEF]
    assert app_segments == [(0xE0, app_segments[0][1])] and app_segments[0][1].startswith(b"JFIF\x00"), (
        f"application segments other than the JFIF header survived: {[hex(m) for m, _ in app_segments]}"
    )


@pytest.mark.parametrize(
    "segments",
    [
        [jpeg_segment(0xFE, SCRIPT)],
        [jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP), iptc_app13()],
        [jpeg_segment(0xE2, b"ICC_PROFILE\x00\x01\x01" + srgb_profile())],
        [
            jpeg_segment(0xFE, SCRIPT),
            jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP),
            iptc_app13(),
            jpeg_segment(0xEC, b"Ducky\x00" + SCRIPT),  # APP12, and any other APPn a camera writes
        ],
    ],
    ids=["comment with a script", "xmp and iptc (app13)", "icc profile (app2)", "all at once"],
)
def test_a_jpeg_keeps_no_comment_or_metadata_segment(editor_client, settings, segments):
    original = jpeg_with_segments(*segments)
    with Image.open(BytesIO(original)) as image:  # the upload is a real JPEG Pillow reads whole
        image.load()
    stored = stored_file(settings, upload(editor_client, "photo.jpg", original, "image/jpeg")).read_bytes()
    assert_no_payload(stored)
    assert_clean_jpeg(stored)
    with Image.open(BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (48, 32)
        assert not {"comment", "xmp", "photoshop", "icc_profile", "exif"} & set(image.info)


def test_a_jpeg_from_a_camera_loses_its_exif_segment_too(editor_client, settings):
    stored = stored_file(
        settings, upload(editor_client, "x.jpg", jpeg_with_exif(), "image/jpeg")
    ).read_bytes()
    assert_clean_jpeg(stored)


def test_a_png_keeps_no_text_profile_or_exif_chunk(editor_client, settings):
    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())  # tEXt
    info.add_text("Author", "Dr. Hidden Photographer", zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), zip=True)  # iTXt, compressed
    info.add_itxt("Description", IPTC_CAPTION.decode())  # iTXt, plain
    exif = Image.Exif()
    exif[0x013B] = "Dr. Hidden Photographer"  # Artist
    out = BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 100)).save(
        out, format="PNG", pnginfo=info, icc_profile=srgb_profile(), exif=exif
    )
    original = out.getvalue()
    assert {b"tEXt", b"zTXt", b"iTXt", b"iCCP", b"eXIf"} <= set(png_chunks(original))
    stored = stored_file(settings, upload(editor_client, "p.png", original, "image/png")).read_bytes()
    assert_no_payload(stored)
    assert set(png_chunks(stored)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    with Image.open(BytesIO(stored)) as image:
        assert image.size == (40, 30) and not image.text and "icc_profile" not in image.info


def test_a_webp_keeps_no_exif_xmp_or_profile_chunk(editor_client, settings):
    exif = Image.Exif()
    exif[0x013B] = "Dr. Hidden Photographer"
    exif[0x010E] = SCRIPT.decode()
    out = BytesIO()
    Image.new("RGBA", (20, 20), (10, 20, 30, 128)).save(
        out, format="WEBP", exif=exif, xmp=XMP, icc_profile=srgb_profile()
    )
    original = out.getvalue()
    assert {b"EXIF", b"XMP ", b"ICCP"} <= set(webp_chunks(original))
    stored = stored_file(settings, upload(editor_client, "w.webp", original, "image/webp")).read_bytes()
    assert_no_payload(stored)
    assert not {b"EXIF", b"XMP ", b"ICCP"} & set(webp_chunks(stored))
    with Image.open(BytesIO(stored)) as image:
        assert image.format == "WEBP" and image.size == (20, 20)
        assert not {"exif", "xmp", "icc_profile"} & set(image.info)
