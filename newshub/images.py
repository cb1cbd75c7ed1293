"""Photos: find the image a page refers to, check it, and publish it sized, stripped and in modern
formats. Pillow does the reading and the writing.

A reference is a path relative to the page's file (a photo in its page bundle, as in Hugo) or a
site path into assets/ ('/assets/img/x.jpg'). Each image is published under a content-addressed
folder, '/images/<digest>/', as the original format at full size and at WIDTHS that are smaller,
plus WebP and AVIF at those widths; every published file is decoded and encoded again, so no EXIF
(GPS position, camera, date) survives, only the colour profile. An animated GIF is published as
it is (GIF carries no EXIF).
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import warnings
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError, features

from .urls import href

WIDTHS = (480, 960, 1600)  # CSS pixels a phone, a tablet and a desktop column need, at most
MAX_PIXELS = 40_000_000  # a 40-megapixel camera's photo; beyond that, a decompression bomb is likely
SIZES = "(max-width: 44rem) calc(100vw - 2rem), 42rem"  # the article column of the shipped theme
# Pillow format -> (file extension, MIME type): what browsers show, and so what may be published.
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp"), "GIF": ("gif", "image/gif")}
MODERN = ([("AVIF", "avif", "image/avif")] if features.check("avif") else []) + [
    ("WEBP", "webp", "image/webp")
]  # best first: a browser takes the first <source> it can show
_SAVE: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
    "AVIF": {"quality": 60, "speed": 8},
}
_ORIENTATION = 0x0112
_SWAPS_SIDES = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter

Image.MAX_IMAGE_PIXELS = None  # refused by MAX_PIXELS below, with a message, before anything is decoded


@dataclass(frozen=True)
class Variant:
    url: str  # site path, without the base path
    width: int
    height: int
    format: str  # Pillow's name: 'WEBP'
    mime: str


@dataclass(frozen=True)
class Picture:
    """One published image. `width` and `height` are as displayed (EXIF orientation applied)."""

    path: str  # project-relative file: 'content/news/2024-06-10-signing/stage.jpg'
    digest: str  # of the file's bytes
    width: int
    height: int
    mime: str  # of the fallback, the original's format
    url: str  # the fallback: the original's format at full size
    variants: tuple[Variant, ...]  # every other published file


def resolve(src: str, source_rel: str) -> str | None:
    """The project-relative file an image reference names, or None when it names none ('https://…',
    a site path outside /assets/, a path leaving the project)."""
    if "://" in src or src.startswith(("//", "data:", "#", "?")):
        return None
    path = src.split("#", 1)[0].split("?", 1)[0]
    if path.startswith("/"):
        if not path.startswith("/assets/"):
            return None
        joined = "assets/" + path[len("/assets/") :]
    else:
        joined = posixpath.join(posixpath.dirname(source_rel), path)
    normal = posixpath.normpath(joined)
    return None if normal.startswith("..") or normal.startswith("/") else normal


class ImageStore:
    """The images of one project folder, each read once per change of its file (size, mtime)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: dict[str, tuple[tuple[int, int], Picture | str]] = {}

    def stamp(self, path: str) -> tuple[int, int] | None:
        try:
            info = os.stat(self.root / path)
        except OSError:
            return None
        return (info.st_size, info.st_mtime_ns)

    def get(self, path: str) -> Picture | str:
        """The Picture of `path`, or what is wrong with the file (a sentence to show the editor)."""
        stamp = self.stamp(path)
        if stamp is None or not (self.root / path).is_file():
            return f"no such file: {path}"
        held = self._seen.get(path)
        if held is not None and held[0] == stamp:
            return held[1]
        try:
            data = (self.root / path).read_bytes()
        except OSError as exc:
            return f"cannot read {path}: {exc.strerror}"
        found = inspect(path, data)
        self._seen[path] = (stamp, found)
        return found

    def digest(self, path: str) -> str:
        """What a parse that used `path` depended on: its digest, or '' when it is not a usable image."""
        found = self.get(path)
        return found.digest if isinstance(found, Picture) else ""


def inspect(path: str, data: bytes) -> Picture | str:
    """The Picture `data` makes, or why it cannot be published."""
    name = posixpath.basename(path)
    if name.lower().endswith(".svg"):
        return f"{name}: SVG images are not published (a script inside one would run on the site); export it as PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a broken chunk is an error here, not a note on stderr
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                if kind not in FORMATS:
                    return f"{name}: {kind or 'this'} images cannot be shown by every browser; save it as JPEG, PNG, WebP or GIF"
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return f"{name} is {width} × {height} pixels; the limit is {MAX_PIXELS // 1_000_000} megapixels, resize it"
                animated = bool(getattr(image, "is_animated", False))
                orientation = image.getexif().get(_ORIENTATION, 1)
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # JPEG: decode at 1/8 to find truncation
                image.load()
    except UnidentifiedImageError:
        return f"{name} is not an image file Pillow can read; save it as JPEG, PNG, WebP or GIF"
    except (OSError, SyntaxError, ValueError, EOFError, Warning) as exc:
        return f"{name} is damaged or truncated ({exc}); export it again"
    if orientation in _SWAPS_SIDES:
        width, height = height, width
    digest = hashlib.sha256(data).hexdigest()[:16]
    stem = posixpath.splitext(name)[0]
    ext, mime = FORMATS[kind]
    folder = f"/images/{digest}/"
    variants = []
    if not animated:
        for w in (w for w in WIDTHS if w < width):
            h = max(1, round(height * w / width))
            variants.append(Variant(f"{folder}{stem}-{w}.{ext}", w, h, kind, mime))
            variants.extend(Variant(f"{folder}{stem}-{w}.{e}", w, h, f, m) for f, e, m in MODERN)
        variants.extend(Variant(f"{folder}{stem}.{e}", width, height, f, m) for f, e, m in MODERN)
    return Picture(path, digest, width, height, mime, f"{folder}{stem}.{ext}", tuple(variants))


def make(picture: Picture, url: str, data: bytes) -> bytes:
    """The bytes of one published file of `picture` (`url` is its fallback or one of its
    variants), from the original's bytes: turned upright, scaled, metadata left out."""
    if picture.url == url and picture.mime == "image/gif":
        return data  # kept as it is: an animation would be lost
    variant = next((v for v in picture.variants if v.url == url), None)
    kind = variant.format if variant else next(k for k, (_, m) in FORMATS.items() if m == picture.mime)
    width, height = (variant.width, variant.height) if variant else (picture.width, picture.height)
    with Image.open(io.BytesIO(data)) as source:
        icc = source.info.get("icc_profile")
        source.draft("RGB", (width, height))  # JPEG: decode at the smallest scale still at least this big
        image = ImageOps.exif_transpose(source)
        image = _for(kind, image)
        if image.size != (width, height):
            image = image.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        options = dict(_SAVE[kind])
        if icc and image.mode != "CMYK":
            options["icc_profile"] = icc
        image.save(out, kind, **options)
        return out.getvalue()


def _for(kind: str, image: Image.Image) -> Image.Image:
    """`image` in a mode the format can write: CMYK becomes RGB, 16-bit grey 8-bit, transparency stays."""
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if kind == "JPEG":
        return image.convert("RGB") if image.mode != "RGB" else image
    if image.mode.startswith("I;16") or image.mode == "I":
        image = image.point(lambda v: v / 256).convert("L")  # 16-bit grey: 0..65535 to 0..255
    wanted = "RGBA" if alpha else ("L" if image.mode == "L" else "RGB")
    return image if image.mode == wanted else image.convert(wanted)


def markup(picture: Picture, alt: str, base_path: str, eager: bool, attrs: str = "", sizes: str = SIZES) -> str:
    """A <picture>: AVIF and WebP sources, and an <img> in the original's format with srcset,
    sizes, width and height (so the page does not move as it loads). `alt` is already escaped."""
    by_mime: dict[str, list[str]] = {}
    for v in picture.variants:
        by_mime.setdefault(v.mime, []).append(f"{href(base_path + v.url)} {v.width}w")
    sources = "".join(
        f'<source type="{mime}" srcset="{escape(", ".join(found))}" sizes="{sizes}">'
        for mime, found in by_mime.items()
        if mime != picture.mime
    )
    own = [*by_mime.get(picture.mime, []), f"{href(base_path + picture.url)} {picture.width}w"]
    loading = 'fetchpriority="high"' if eager else 'loading="lazy" decoding="async"'
    return (
        f'<picture>{sources}<img src="{escape(href(base_path + picture.url))}" srcset="{escape(", ".join(own))}" sizes="{sizes}"'
        f' width="{picture.width}" height="{picture.height}" alt="{alt}"{attrs} {loading}></picture>'
    )


def produce(root: Path, cache: Path | None, picture: Picture, url: str) -> bytes:
    """The bytes of one published file of `picture`, from `cache` (a folder, content-addressed by
    the original's digest) when it holds them, else made and kept there."""
    kept = cache / picture.digest / posixpath.basename(url) if cache is not None else None
    if kept is not None and kept.is_file():
        return kept.read_bytes()
    data = make(picture, url, (root / picture.path).read_bytes())
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(kept.name + f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(kept)  # atomic: a build stopped half-way leaves no half-written image
    return data
