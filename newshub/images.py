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
            return f"no such file: {path}; check the name (letter case counts)"
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
        return "SVG images are not published (a script inside one would run on the site); export it as PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a broken chunk is an error here, not a note on stderr
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                if kind not in FORMATS:
                    return f"{kind or 'this format'} cannot be shown by every browser; save it as JPEG, PNG, WebP or GIF"
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return f"{width} x {height} pixels is over the limit of {MAX_PIXELS // 1_000_000} megapixels; resize it"
                animated = bool(getattr(image, "is_animated", False))
                orientation = image.getexif().get(_ORIENTATION, 1)
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # JPEG: decode at 1/8 to find truncation
                image.load()
    except UnidentifiedImageError:
        return "not an image file that can be read; save it as JPEG, PNG, WebP or GIF"
    except (OSError, SyntaxError, ValueError, EOFError, Warning) as exc:
        return f"damaged or truncated ({exc}); export it again"
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
        if width <= WIDTHS[-1]:  # a larger photo's widest modern file is WIDTHS[-1]: screens need no more
            variants.extend(Variant(f"{folder}{stem}.{e}", width, height, f, m) for f, e, m in MODERN)
    return Picture(path, digest, width, height, mime, f"{folder}{stem}.{ext}", tuple(variants))


def make(picture: Picture, data: bytes) -> dict[str, bytes]:
    """Every published file of `picture` (url -> bytes), from the original's bytes, decoded once:
    turned upright, scaled, metadata but the colour profile left out."""
    if picture.mime == "image/gif" and not picture.variants:
        return {picture.url: data}  # an animation, kept as it is
    kind = next(k for k, (_, m) in FORMATS.items() if m == picture.mime)
    targets = [Variant(picture.url, picture.width, picture.height, kind, picture.mime), *picture.variants]
    made: dict[str, bytes] = {}
    with Image.open(io.BytesIO(data)) as source:
        icc = source.info.get("icc_profile")
        upright = ImageOps.exif_transpose(source)
        scaled: dict[tuple[int, int], Image.Image] = {}
        for target in sorted(targets, key=lambda t: -t.width):
            size = (target.width, target.height)
            if size not in scaled:  # from the next larger size: each step is a small reduction
                larger = min((s for s in scaled if s[0] > size[0]), default=None, key=lambda s: s[0])
                base = scaled[larger] if larger else upright
                scaled[size] = base if base.size == size else base.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            image = _for(target.format, scaled[size])
            out = io.BytesIO()
            options = dict(_SAVE[target.format])
            if icc and image.mode != "CMYK":
                options["icc_profile"] = icc
            image.save(out, target.format, **options)
            made[target.url] = out.getvalue()
    return made


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
    loading = "" if eager else ' loading="lazy" decoding="async"'
    return (
        f'<picture>{sources}<img src="{escape(href(base_path + picture.url))}" srcset="{escape(", ".join(own))}" sizes="{sizes}"'
        f' width="{picture.width}" height="{picture.height}" alt="{alt}"{attrs}{loading}></picture>'
    )


def produce(root: Path, cache: Path | None, picture: Picture) -> dict[str, bytes]:
    """Every published file of `picture` (url -> bytes): from `cache` (a folder, content-addressed
    by the original's digest) when it holds them all, else made and kept there."""
    urls = [picture.url, *(v.url for v in picture.variants)]
    folder = cache / picture.digest if cache is not None else None
    if folder is not None and all((folder / posixpath.basename(u)).is_file() for u in urls):
        return {u: (folder / posixpath.basename(u)).read_bytes() for u in urls}
    made = make(picture, (root / picture.path).read_bytes())
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for url, data in made.items():
            partial = folder / f"{posixpath.basename(url)}.{os.getpid()}.tmp"
            partial.write_bytes(data)
            partial.replace(folder / posixpath.basename(url))  # atomic: a stopped build leaves no half-written image
    return made
