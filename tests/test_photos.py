"""Field photos (geo/photos.py): upright, no metadata, scaled, stored once by content, refusals.
Fixtures are built in code with Pillow."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from geo.errors import StoreError, ValidationError
from geo.photos import (
    MAX_PHOTO_BYTES,
    MAX_SIDE_PX,
    THUMB_SIDE_PX,
    photo_path,
    photos_root,
    store_photo,
    thumb_path,
)

RED, BLUE = (220, 20, 20), (20, 20, 220)
ORIENTATION, MAKE, GPS_IFD = 0x0112, 0x010F, 0x8825


def halves(size=(400, 200)) -> Image.Image:
    """Left half red, right half blue."""
    im = Image.new("RGB", size, BLUE)
    im.paste(RED, (0, 0, size[0] // 2, size[1]))
    return im


def jpeg(im: Image.Image, orientation: int | None = None, **save) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "FieldCam-SECRET"
    if orientation:
        exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (25.0, 43.0, 12.0), 3: "E", 4: (119.0, 22.0, 48.0)})
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif, quality=95, comment=b"inspector phone 138", **save)
    return buf.getvalue()


def close(a, b, tol=40) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def test_fixture_carries_exif_gps_and_orientation():
    with Image.open(io.BytesIO(jpeg(halves(), 6))) as im:
        exif = im.getexif()
        assert exif[ORIENTATION] == 6 and exif[MAKE] == "FieldCam-SECRET" and exif.get_ifd(GPS_IFD)
        assert im.size == (400, 200)


@pytest.mark.parametrize("orientation, size, top, bottom", [
    (None, (400, 200), None, None),
    (6, (200, 400), RED, BLUE),    # "rotate 90° clockwise to view": the left (red) half ends on top
    (8, (200, 400), BLUE, RED),    # "rotate 90° counter-clockwise": the right (blue) half ends on top
    (3, (400, 200), None, None),   # upside down: red ends on the right
])
def test_rotated_exif_photo_comes_out_upright(tmp_path, orientation, size, top, bottom):
    ref = store_photo(jpeg(halves(), orientation), tmp_path)
    with Image.open(ref.path) as im:
        assert im.size == size == (ref.width, ref.height)
        w, h = im.size
        if top:
            assert close(im.getpixel((w // 2, h // 8)), top) and close(im.getpixel((w // 2, h * 7 // 8)), bottom)
        elif orientation == 3:
            assert close(im.getpixel((w // 8, h // 2)), BLUE) and close(im.getpixel((w * 7 // 8, h // 2)), RED)
        else:
            assert close(im.getpixel((w // 8, h // 2)), RED)


def test_no_exif_gps_or_comment_left(tmp_path):
    ref = store_photo(jpeg(halves(), 6), tmp_path)
    for path in (ref.path, ref.thumb_path):
        raw = path.read_bytes()
        assert b"Exif" not in raw and b"FieldCam" not in raw and b"inspector" not in raw
        with Image.open(path) as im:
            assert len(im.getexif()) == 0
            assert not {"exif", "comment", "icc_profile", "xmp"} & set(im.info)


def test_same_photo_is_stored_once_under_its_hash(tmp_path):
    data = jpeg(halves(), 6)
    a = store_photo(data, tmp_path)
    b = store_photo(bytearray(data), tmp_path)
    assert a == b
    assert a.path == photo_path(tmp_path, a.sha256) == tmp_path / a.sha256[:2] / f"{a.sha256}.jpg"
    assert a.thumb_path == thumb_path(tmp_path, a.sha256) == tmp_path / a.sha256[:2] / f"{a.sha256}_t.jpg"
    import hashlib

    assert hashlib.sha256(a.path.read_bytes()).hexdigest() == a.sha256
    files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert files == [Path(a.sha256[:2]) / f"{a.sha256}.jpg", Path(a.sha256[:2]) / f"{a.sha256}_t.jpg"]
    # The same picture with other metadata (another camera name, no GPS) is the same photo once stripped.
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    halves().save(buf, "JPEG", exif=exif, quality=95)
    assert store_photo(buf.getvalue(), tmp_path).sha256 == a.sha256
    other = store_photo(jpeg(halves((300, 300))), tmp_path)
    assert other.sha256 != a.sha256


def test_large_photo_is_scaled_and_thumbnail_is_320(tmp_path):
    big = Image.effect_noise((3000, 4000), 40).convert("RGB")
    ref = store_photo(jpeg(big), tmp_path)
    assert (ref.width, ref.height) == (1536, MAX_SIDE_PX)
    with Image.open(ref.path) as im:
        assert im.format == "JPEG" and im.size == (1536, 2048)
    with Image.open(ref.thumb_path) as th:
        assert th.format == "JPEG" and th.size == (240, THUMB_SIDE_PX)
    small = store_photo(jpeg(halves((100, 50))), tmp_path)
    with Image.open(small.thumb_path) as th:
        assert th.size == (100, 50)  # never enlarged


def test_png_with_transparency_becomes_rgb_on_white(tmp_path):
    im = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    im.paste((255, 0, 0, 255), (0, 0, 32, 64))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    ref = store_photo(buf.getvalue(), tmp_path)
    with Image.open(ref.path) as out:
        assert out.mode == "RGB" and close(out.getpixel((60, 30)), (255, 255, 255), 10)
        assert close(out.getpixel((5, 30)), (255, 0, 0), 30)


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height: a decompression bomb's header, no pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


REFUSED = [
    ("empty", b"", "photo.empty", ["0 bytes"]),
    ("text", "这不是照片 not a photo".encode(), "photo.not_an_image", ["JPEG, PNG, WebP"]),
    ("pdf", b"%PDF-1.7\n" + b"0" * 100, "photo.not_an_image", ["JPEG"]),
    ("gif", None, "photo.not_an_image", ["JPEG"]),
    ("heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64, "photo.heic", ["JPEG", "Most Compatible"]),
    ("truncated", None, "photo.corrupt", ["again"]),
    ("bomb-9000x9000", png_header(9000, 9000), "photo.too_many_pixels", ["9000 x 9000", "50,000,000"]),
    ("bomb-40000x40000", png_header(40000, 40000), "photo.too_many_pixels", ["50,000,000"]),
]


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("P", (10, 10)).save(buf, "GIF")
    return buf.getvalue()


@pytest.mark.parametrize("name, data, code, words", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused(tmp_path, name, data, code, words):
    if name == "gif":
        data = _gif()
    if name == "truncated":
        data = jpeg(Image.effect_noise((600, 600), 60).convert("RGB"))[:5000]
    with pytest.raises(ValidationError) as e:
        store_photo(data, tmp_path / "photos")
    assert e.value.code == code
    for w in words:
        assert w in e.value.en, (w, e.value.en)
    assert e.value.zh != e.value.en
    assert not (tmp_path / "photos").exists() or not any((tmp_path / "photos").rglob("*.jpg"))


def test_oversize_refused_naming_the_limit(tmp_path):
    data = jpeg(halves())
    with pytest.raises(ValidationError) as e:
        store_photo(data, tmp_path, max_bytes=len(data) - 1)
    assert e.value.code == "photo.too_large" and e.value.context["limit"] == len(data) - 1
    assert "over the limit" in e.value.en and "上限" in e.value.zh
    with pytest.raises(ValidationError) as e:
        store_photo(b"\xff\xd8" + b"\0" * (MAX_PHOTO_BYTES + 1), tmp_path)
    assert e.value.code == "photo.too_large" and "25.0 MB" in e.value.en
    assert not list(tmp_path.rglob("*.jpg"))


@pytest.mark.parametrize("sha", ["../../etc/passwd", "abc", "g" * 64, "", "a" * 63])
def test_paths_only_for_real_hashes(tmp_path, sha):
    with pytest.raises(ValidationError) as e:
        photo_path(tmp_path, sha)
    assert e.value.code == "photo.bad_hash"
    with pytest.raises(ValidationError):
        thumb_path(tmp_path, sha)


def test_photos_root_next_to_the_store():
    assert photos_root(Path("data/store.gpkg")) == Path("data/store_photos")
    assert photos_root("/srv/onemap/福清.gpkg") == Path("/srv/onemap/福清_photos")


def test_unwritable_folder_is_a_store_error_and_leaves_nothing(tmp_path, monkeypatch):
    import os

    data = jpeg(halves())

    def full_disk(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(StoreError) as e:
        store_photo(data, tmp_path)
    assert e.value.code == "photo.write_failed" and "No space left" in e.value.en
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no temp file left behind
