"""Field photos stored by content (pure file I/O, no database).

A photo is decoded, turned upright by its EXIF orientation, stripped of every
piece of metadata (EXIF with GPS position, camera serials, XMP, comments; an
embedded colour profile is applied, converting to sRGB, and then dropped),
scaled down to at most :data:`MAX_SIDE_PX` on its longest side and saved as
JPEG (quality :data:`JPEG_QUALITY`). The SHA-256 of the *saved* bytes names
the file, so the same photo uploaded twice, or by two inspectors, is stored
once::

    <root>/ab/<sha256>.jpg      the photo
    <root>/ab/<sha256>_t.jpg    its thumbnail, at most THUMB_SIDE_PX

where ``ab`` are the first two hex digits of the hash and ``root`` is
:func:`photos_root` of the store file (``data/store_photos/`` next to
``data/store.gpkg``). Files are written to a temporary name in the same
folder and renamed when complete (``os.replace``): a crash or a full disk
never leaves half a photo under its final name. History rows keep only the
hash (``HistoryEntry.photos``).

Refused, as :class:`geo.errors.ValidationError` with a stable code:
``photo.empty``, ``photo.too_large`` (over :data:`MAX_PHOTO_BYTES`),
``photo.heic`` (HEIC/HEIF, which Pillow cannot read without a plug-in),
``photo.not_an_image`` (not JPEG, PNG or WebP), ``photo.corrupt`` (truncated
or damaged), ``photo.too_many_pixels`` (over :data:`MAX_PHOTO_PIXELS`, a
decompression bomb guard checked from the header before any pixel is
decoded), ``photo.too_large_decoded`` (what would be decoded in full — a PNG
or WebP, or a JPEG after draft scaling — over :data:`MAX_DECODED_BYTES`),
``photo.bad_hash`` (a malformed hash given to :func:`photo_path`).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from geo.errors import StoreError, ValidationError

__all__ = [
    "ACCEPTED_FORMATS",
    "JPEG_QUALITY",
    "MAX_PHOTO_BYTES",
    "MAX_DECODED_BYTES",
    "MAX_PHOTO_PIXELS",
    "MAX_SIDE_PX",
    "THUMB_SIDE_PX",
    "PhotoRef",
    "photo_path",
    "photos_root",
    "store_photo",
    "thumb_path",
]

#: Largest upload accepted, in bytes (a 48 MP phone JPEG is 10-15 MB).
MAX_PHOTO_BYTES = 25 * 1024 * 1024
#: Largest image accepted, in pixels (width x height), checked from the header before decoding:
#: a 48 MP camera (8064 x 6048) passes; a decompression bomb (a tiny file claiming a huge image) does not.
MAX_PHOTO_PIXELS = 50_000_000
#: Largest image decoded in full, in bytes (width x height x bytes per pixel), checked from the header. A JPEG
#: is decoded at 1/2, 1/4 or 1/8 scale when it is larger than needed (libjpeg's draft mode), so a 48 MP camera
#: photo decodes to ~12 MB; PNG and WebP cannot be, so a 7,000 x 7,000 PNG of 200 KB would take 196 MB to
#: decode and ~840 MB to store (measured). 64 MB is a 4,000 x 4,000 RGBA screenshot or scan.
MAX_DECODED_BYTES = 64 * 1024 * 1024
#: Longest side of the stored photo, px: enough to read a sign or a pipe label, about 0.5-1 MB as JPEG.
MAX_SIDE_PX = 2048
#: Longest side of the thumbnail, px.
THUMB_SIDE_PX = 320
#: JPEG quality of the stored photo and of the thumbnail.
JPEG_QUALITY = 85
THUMB_QUALITY = 80
#: What Pillow is allowed to open (the narrower, the smaller the attack surface). JPEGs from
#: phones that embed a second picture open through "JPEG" too, as format "MPO".
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")

_HASH = re.compile(r"[0-9a-f]{64}")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


@dataclass(frozen=True)
class PhotoRef:
    """A stored photo: its content hash, its file, its thumbnail, its size in pixels (upright)."""

    sha256: str
    path: Path
    thumb_path: Path
    width: int
    height: int


def photos_root(store_file: str | os.PathLike) -> Path:
    """The photo folder of a store: ``data/store.gpkg`` -> ``data/store_photos``."""
    store_file = Path(store_file)
    return store_file.with_name(store_file.stem + "_photos")


def _check_hash(sha: str) -> str:
    s = str(sha).strip().lower()
    if not _HASH.fullmatch(s):
        raise ValidationError("photo.bad_hash",
                              en=f"{sha!r} is not a photo hash (64 hexadecimal digits); use the sha256 of a stored photo.",
                              zh=f"“{sha}”不是照片哈希（应为 64 位十六进制）；请使用已存照片的 sha256。", value=str(sha))
    return s


def photo_path(root: str | os.PathLike, sha: str) -> Path:
    """Where the photo with hash ``sha`` is (or would be) stored under ``root``."""
    sha = _check_hash(sha)
    return Path(root) / sha[:2] / f"{sha}.jpg"


def thumb_path(root: str | os.PathLike, sha: str) -> Path:
    """Where the thumbnail of the photo with hash ``sha`` is (or would be) stored under ``root``."""
    sha = _check_hash(sha)
    return Path(root) / sha[:2] / f"{sha}_t.jpg"


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _refuse_early(data: bytes, max_bytes: int) -> None:
    if not data:
        raise ValidationError("photo.empty", en="The photo is empty (0 bytes); take or choose it again.",
                              zh="照片为空（0 字节）；请重新拍摄或选择。")
    if len(data) > max_bytes:
        raise ValidationError(
            "photo.too_large",
            en=f"The photo is {_mb(len(data))}, over the limit of {_mb(max_bytes)}; "
            f"choose a smaller photo or lower the camera's resolution.",
            zh=f"照片 {_mb(len(data))}，超过 {_mb(max_bytes)} 的上限；请选择较小的照片或调低相机分辨率。",
            size=len(data), limit=max_bytes)
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise ValidationError(
            "photo.heic",
            en="HEIC/HEIF photos cannot be read; upload it as JPEG (iPhone/iPad: Settings → Camera → Formats → "
            "Most Compatible, or share the photo as JPEG).",
            zh="无法读取 HEIC/HEIF 格式照片；请以 JPEG 上传（iPhone/iPad：设置 → 相机 → 格式 → 兼容性最佳，或以 JPEG 分享）。")


def _open(data: bytes) -> Image.Image:
    formats = "JPEG, PNG, WebP"
    try:
        im = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            "photo.too_many_pixels",
            en=f"The image claims more pixels than allowed ({MAX_PHOTO_PIXELS:,}); it is not a normal photo. "
            f"Upload a camera photo.",
            zh=f"该图片声明的像素数超过上限（{MAX_PHOTO_PIXELS:,}），不是正常照片；请上传相机照片。",
            limit=MAX_PHOTO_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            "photo.not_an_image",
            en=f"The file is not a photo this app reads ({formats}); choose a photo from the camera or gallery.",
            zh=f"该文件不是可读取的照片（支持 {formats}）；请从相机或相册选择照片。") from exc
    w, h = im.size
    if w * h > MAX_PHOTO_PIXELS:
        raise ValidationError(
            "photo.too_many_pixels",
            en=f"The image is {w} x {h} px ({w * h:,} pixels), over the limit of {MAX_PHOTO_PIXELS:,}; "
            f"lower the camera's resolution or downscale the image.",
            zh=f"图片 {w}×{h} 像素（{w * h:,}），超过 {MAX_PHOTO_PIXELS:,} 像素的上限；请调低分辨率或缩小图片。",
            width=w, height=h, limit=MAX_PHOTO_PIXELS)
    if w < 1 or h < 1:
        raise ValidationError("photo.not_an_image", en="The image has no pixels; choose a photo.",
                              zh="图片没有像素；请选择照片。")
    if im.format in ("JPEG", "MPO"):
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale when the photo is still >= MAX_SIDE_PX: what is decoded is smaller.
        im.draft("RGB", (MAX_SIDE_PX, MAX_SIDE_PX))
    dw, dh = im.size
    decoded = dw * dh * _bytes_per_pixel(im.mode)
    if decoded > MAX_DECODED_BYTES:
        raise ValidationError(
            "photo.too_large_decoded",
            en=f"The image is {w} x {h} px {im.format}: decoded it takes {_mb(decoded)}, over the limit of "
               f"{_mb(MAX_DECODED_BYTES)}. Save it as JPEG or scale it down (e.g. to 2,048 px) and upload again.",
            zh=f"图片为 {w}×{h} 像素的 {im.format}：解码后需 {_mb(decoded)}，超过 {_mb(MAX_DECODED_BYTES)} 的上限。"
               "请另存为 JPEG 或缩小（如 2048 像素）后重新上传。",
            fix_zh="另存为 JPEG，或缩小到 2048 像素左右后重新上传。",
            fix_en="Save it as JPEG, or scale it down to about 2,048 px, and upload again.",
            width=w, height=h, limit=MAX_DECODED_BYTES)
    return im


def _bytes_per_pixel(mode: str) -> int:
    return {"1": 1, "L": 1, "P": 1, "LA": 2, "PA": 2, "I;16": 2, "I;16B": 2, "I;16L": 2, "RGB": 3, "YCbCr": 3,
            "LAB": 3, "HSV": 3, "RGBA": 4, "RGBa": 4, "CMYK": 4, "I": 4, "F": 4}.get(mode, 4)


def _to_srgb(im: Image.Image) -> Image.Image:
    """Apply an embedded colour profile (e.g. Display P3 from iPads) so colours survive dropping it."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode=out_mode)
        return converted if converted is not None else im
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im  # a broken profile: keep the pixels as they are


def _to_rgb(im: Image.Image) -> Image.Image:
    """RGB on white: transparency (PNG, WebP) becomes white, CMYK and grey become RGB."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.point(lambda v: v / 256).convert("L")  # 16-bit grey PNG
    return im if im.mode == "RGB" else im.convert("RGB")


def _jpeg(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    # No exif=, icc_profile= or xmp= (and .info emptied by the caller): nothing but pixels is written.
    im.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StoreError("photo.write_failed",
                         en=f"Cannot write the photo to {path.parent}: {exc.strerror}; check the folder and free space.",
                         zh=f"无法将照片写入 {path.parent}：{exc.strerror}；请检查目录与磁盘空间。", path=str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise StoreError("photo.write_failed",
                         en=f"Cannot write the photo to {path}: {exc.strerror}; check the folder and free space.",
                         zh=f"无法写入照片 {path}：{exc.strerror}；请检查目录与磁盘空间。", path=str(path)) from exc
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def store_photo(data: bytes, root: str | os.PathLike, *, max_bytes: int = MAX_PHOTO_BYTES) -> PhotoRef:
    """Store a photo by content and return where it is.

    Parameters
    ----------
    data : bytes
        The uploaded file (JPEG, PNG or WebP).
    root : path-like
        The photo folder, usually ``photos_root(store.path)``; created if needed.
    max_bytes : int
        Largest upload accepted (default :data:`MAX_PHOTO_BYTES`).

    Returns
    -------
    PhotoRef
        ``sha256`` of the stored JPEG (the key to keep in the history),
        ``path``, ``thumb_path``, and the stored ``width`` x ``height`` (upright,
        at most :data:`MAX_SIDE_PX`).

    Raises
    ------
    ValidationError
        ``photo.empty``, ``photo.too_large``, ``photo.heic``,
        ``photo.not_an_image``, ``photo.corrupt``, ``photo.too_many_pixels``.
    StoreError
        ``photo.write_failed``: the folder cannot be written (nothing partial is left).
    """
    data = bytes(data)
    _refuse_early(data, max_bytes)
    im = _open(data)
    try:
        im.load()
        if max(im.size) > MAX_SIDE_PX and im.mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
            # Shrink first (in place, keeping EXIF and the colour profile): the copies below (turn upright,
            # colour, RGB on white) are then made of the small image.
            im.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX), Image.Resampling.LANCZOS)
        upright = ImageOps.exif_transpose(im) or im
        rgb = _to_rgb(_to_srgb(upright))
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            "photo.corrupt",
            en="The photo is damaged or incomplete (it may not have finished uploading); take or choose it again.",
            zh="照片已损坏或不完整（可能未上传完）；请重新拍摄或选择。") from exc
    finally:
        im.close()
    # Pillow copies a JPEG comment (COM) from .info on save: empty it, so nothing but pixels is written.
    rgb.info = {}
    rgb.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX), Image.Resampling.LANCZOS)
    body = _jpeg(rgb, JPEG_QUALITY)
    sha = hashlib.sha256(body).hexdigest()
    root = Path(root)
    path, tpath = photo_path(root, sha), thumb_path(root, sha)
    if not path.exists():
        _write_atomic(path, body)
    if not tpath.exists():
        thumb = rgb.copy()
        thumb.thumbnail((THUMB_SIDE_PX, THUMB_SIDE_PX), Image.Resampling.LANCZOS)
        _write_atomic(tpath, _jpeg(thumb, THUMB_QUALITY))
    return PhotoRef(sha, path, tpath, rgb.width, rgb.height)
