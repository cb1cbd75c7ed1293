"""Photos: find the image a page refers to, check it, and publish it sized, stripped and in modern
formats. Pillow does the reading and the writing.

A reference is a path relative to the page's file (a photo in its page bundle, as in Hugo) or a
site path into assets/ ('/assets/img/x.jpg'). Each image is published under a content-addressed
folder, '/images/<digest>/', as the original format at full size and at WIDTHS that are smaller,
plus WebP and AVIF at those widths; every published file is decoded and encoded again, so no EXIF
(GPS position, camera, date), XMP or comment survives, only a colour profile that fits. An animated
GIF or WebP is published whole, every frame encoded again, at its own size.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import posixpath
import re
import shutil
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import PIL
from PIL import Image, UnidentifiedImageError, features

from .discover import BUNDLED, is_image
from .errors import fail
from .urls import href

WIDTHS = (480, 960, 1600)  # CSS pixels a phone, a tablet and a desktop column need, at most
MAX_PIXELS = 40_000_000  # a 40-megapixel camera's photo; beyond that, a decompression bomb is likely
SIZES = "(max-width: 44rem) calc(100vw - 2rem), 42rem"  # the article column of the shipped theme
# Pillow format -> (file extension, MIME type): what browsers show, and so what may be published.
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp"), "GIF": ("gif", "image/gif")}
_SAME = {"MPO": "JPEG"}  # a camera JPEG with a second picture (depth, preview) in MPF data: its first frame
MODERN = ([("AVIF", "avif", "image/avif")] if features.check("avif") else []) + [
    ("WEBP", "webp", "image/webp")
]  # best first: a browser takes the first <source> it can show
_SAVE: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
    "AVIF": {"quality": 60, "speed": 8},
    "GIF": {"optimize": True},
}
# Part of the image cache's key and the build cache's (noop.environment_key, by Pillow's version and this file): new encoders or
# settings make every image again.
SETTINGS = hashlib.sha256(repr((PIL.__version__, WIDTHS, _SAVE, MODERN)).encode()).hexdigest()[:8]
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}  # fmt: skip
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

    @property
    def urls(self) -> tuple[str, ...]:
        """Every published file's URL: the fallback, then the variants."""
        return (self.url, *(v.url for v in self.variants))


def resolve(src: str, source_rel: str) -> str | None:
    """The project-relative file an image reference names ('%20' decoded, as a browser would), or
    None when it names none: an image on another site ('https://…', '//host', 'data:')."""
    if "://" in src or src.startswith(("//", "data:", "#", "?")):
        return None
    path = unquote(src.split("#", 1)[0].split("?", 1)[0])
    if path.startswith("/"):
        joined = path[1:] if path.startswith("/assets/") else "/" + path  # any other site path: refused by where()
    else:
        joined = posixpath.join(posixpath.dirname(source_rel), path)
    return posixpath.normpath(joined)


def outside(path: str, hint: str = "") -> str | None:
    """Why a resolved reference may not be published, or None: only content/ and assets/ hold images.
    `hint`: where the image can be instead (where_to_put)."""
    if path.startswith(("content/", "assets/")):  # normpath() has taken out every '..'
        return None
    return f"not in the page's folder or assets/; {hint or 'put it there'}"


_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,4})?")  # 'zh', 'pt-BR': a translation's suffix, 'a.zh.md'


def where_to_put(src: str, source_rel: str) -> str:
    """The two places the image `src` of the page or record `source_rel` can be, and how each is
    referred to: beside the page (in its page bundle, for an article or page), or in assets/."""
    name = posixpath.basename(unquote(src.split("#", 1)[0].split("?", 1)[0]))
    name = name if is_image(name) else "photo.jpg"
    parts = source_rel.split("/")
    if len(parts) == 4:  # a page bundle: content/news/<folder>/index.md
        here = f"put {name} in {'/'.join(parts[:3])}/ (beside {parts[3]})"
    elif len(parts) == 3 and parts[1] in BUNDLED:
        stem = parts[2].rsplit(".", 1)[0]
        base, _, lang = stem.rpartition(".")
        folder, index = (base, f"index.{lang}.md") if base and _LANGUAGE.fullmatch(lang) else (stem, "index.md")
        here = f"make the page a page bundle (move {source_rel} to content/{parts[1]}/{folder}/{index}), put {name} beside it"
    else:
        here = f"put {name} in {posixpath.dirname(source_rel)}/"
    return f"{here} and refer to it as {name}, or put it in assets/img/ and refer to it as /assets/img/{name}"


Seen = dict[str, tuple[tuple[int, int], "Picture | str"]]  # image file -> ((size, mtime_ns), what it gave)


class ImageStore:
    """The images of one project folder, each read once per change of its file (size, mtime).
    `seen` may be shared (a Build keeps one across runs, and the build cache across builds)."""

    def __init__(self, root: Path, seen: Seen | None = None) -> None:
        self.root = root
        self._real_root = root.resolve()
        self._seen: Seen = {} if seen is None else seen

    def stamp(self, path: str) -> tuple[int, int] | None:
        try:
            info = os.stat(self.root / path)
        except (OSError, ValueError):  # ValueError: a NUL in the name ('a%00.jpg')
            return None
        return (info.st_size, info.st_mtime_ns)

    def get(self, path: str, hint: str = "") -> Picture | str:
        """The Picture of `path`, or what is wrong with the file (a sentence to show the editor).
        `hint`: where the image can be instead, for a file that is not there (where_to_put)."""
        why = outside(path, hint)
        if why:
            return why
        stamp = self.stamp(path)
        if stamp is None or not (self.root / path).is_file():
            return f"no such file: {path}; check the name (letter case counts){'; or ' + hint if hint else ''}"
        if not (self.root / path).resolve().is_relative_to(self._real_root):
            return "a symbolic link to a file outside the project is never published; copy the file into the project"
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

    def known(self, path: str) -> tuple[tuple[int, int], Picture | str]:
        """((size, mtime_ns), what it gave) of a file get() has read; ((0, 0), why) of one it could not."""
        return self._seen.get(path) or ((0, 0), "not read")

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
                kind = _SAME.get(image.format or "", image.format or "")
                if kind not in FORMATS:
                    return f"{kind or 'this format'} cannot be shown by every browser; save it as JPEG, PNG, WebP or GIF"
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return f"{width} x {height} pixels is over the limit of {MAX_PIXELS // 1_000_000} megapixels; resize it"
                animated = bool(getattr(image, "is_animated", False)) and image.format != "MPO"
                orientation = _orientation(image)
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # JPEG: decode at 1/8 to find truncation
                image.load()
    except UnidentifiedImageError:
        return "not an image file that can be read; save it as JPEG, PNG, WebP or GIF"
    except Exception as exc:  # Pillow raises many kinds for a damaged file; none may become a traceback
        return f"damaged or truncated ({exc}); export it again"
    if orientation in _SWAPS_SIDES:
        width, height = height, width
    digest = hashlib.sha256(data).hexdigest()[:16]
    # A name safe in any URL and on any disk: 'Stage Photo #2.JPG' is 'stage-photo-2'; no dots, so
    # that a width ('stage.480.webp') can never make another file's name.
    stem = re.sub(r"[^\w-]+", "-", posixpath.splitext(name)[0].lower()).strip("-") or "image"
    ext, mime = FORMATS[kind]
    folder = f"/images/{digest}/"
    variants = []
    if not animated:  # an animation is published whole, at its own size
        for w in (w for w in WIDTHS if w < width):
            h = max(1, round(height * w / width))
            variants.append(Variant(f"{folder}{stem}.{w}.{ext}", w, h, kind, mime))
            variants.extend(Variant(f"{folder}{stem}.{w}.{e}", w, h, f, m) for f, e, m in MODERN)
        if width <= WIDTHS[-1]:  # a larger photo's widest modern file is WIDTHS[-1]: screens need no more
            variants.extend(Variant(f"{folder}{stem}.{e}", width, height, f, m) for f, e, m in MODERN)
    return Picture(path, digest, width, height, mime, f"{folder}{stem}.{ext}", tuple(variants))


# What Pillow reads from a file that is about how to show it, not about who made it where.
_DISPLAY_INFO = {"icc_profile", "dpi", "gamma", "transparency", "jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive"}
_DISPLAY_INFO |= {
    "progression",
    "adobe",
    "adobe_transform",
    "srgb",
    "chromaticity",
    "background",
    "aspect",
    "interlace",
    "loop",
    "duration",
}


def without_metadata(data: bytes) -> bytes:
    """`data` of a JPEG, PNG or WebP file (a theme's logo in assets/) with no EXIF, XMP, comment or
    text chunk: unchanged when it has none, else encoded again (a JPEG at its own quality)."""
    try:
        with warnings.catch_warnings(), Image.open(io.BytesIO(data)) as image:
            warnings.simplefilter("ignore")
            kind = _SAME.get(image.format or "", image.format or "")
            if kind not in ("JPEG", "PNG", "WEBP") or (getattr(image, "is_animated", False) and image.format != "MPO"):
                return data
            if not image.getexif() and not set(image.info) - _DISPLAY_INFO:
                return data
            method = _TRANSPOSE.get(_orientation(image))  # the EXIF that turned it goes: turn the pixels
            keep = image.format == "JPEG" and method is None  # the same quantisation: nothing lost again
            options: dict[str, Any] = {"quality": "keep", "subsampling": "keep"} if keep else {"quality": 90}
            if kind == "PNG":
                options = {}
            if image.info.get("icc_profile"):
                options["icc_profile"] = image.info["icc_profile"]
            shown = image.transpose(method) if method is not None else image
            shown.info = {}
            out = io.BytesIO()
            shown.save(out, kind, **options)
            return out.getvalue()
    except Exception:  # not an image Pillow reads: published as it is, like any other asset
        return data


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 to 8); 1 when there is none or it is damaged."""
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except Exception:  # a damaged EXIF block: the picture is shown as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def make(picture: Picture, data: bytes) -> dict[str, bytes]:
    """Every published file of `picture` (url -> bytes), from the original's bytes, decoded once:
    turned upright, scaled, with no metadata but an RGB colour profile (no EXIF, XMP, comments).
    Raises BuildError naming the file when Pillow cannot make it."""
    kind = next(k for k, (_, m) in FORMATS.items() if m == picture.mime)
    targets = [Variant(picture.url, picture.width, picture.height, kind, picture.mime), *picture.variants]
    made: dict[str, bytes] = {}
    try:
        with warnings.catch_warnings(), Image.open(io.BytesIO(data)) as source:
            warnings.simplefilter("ignore")  # inspect() already refused what Pillow warns of
            icc = source.info.get("icc_profile")
            family = "L" if source.mode in ("L", "LA") else "RGB" if source.mode in ("RGB", "RGBA") else ""  # what the profile describes
            if not picture.variants and getattr(source, "is_animated", False):
                return {picture.url: _save(source, kind, icc if family else None, animated=True)}
            method = _TRANSPOSE.get(_orientation(source))
            upright = source.transpose(method) if method is not None else source
            scaled: dict[tuple[int, int], Image.Image] = {}
            for target in sorted(targets, key=lambda t: -t.width):
                size = (target.width, target.height)
                if size not in scaled:  # from the next larger size: each step is a small reduction
                    larger = min((s for s in scaled if s[0] > size[0]), default=None, key=lambda s: s[0])
                    base = scaled[larger] if larger else upright
                    scaled[size] = base if base.size == size else base.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
                image = _for(target.format, scaled[size])
                made[target.url] = _save(image, target.format, icc if family and image.mode.startswith(family) else None)
    except Exception as exc:
        raise fail(picture.path, 0, f"cannot be processed ({exc}); export it again") from None
    return made


def _save(image: Image.Image, kind: str, icc: bytes | None, animated: bool = False) -> bytes:
    options = dict(_SAVE[kind])
    if animated:  # every frame, with its timing; nothing else of the original
        options.update(save_all=True, duration=image.info.get("duration", 100), loop=image.info.get("loop", 0))
    image.info = {}  # nothing read from the original is written again (a JPEG comment, XMP, EXIF)
    if icc:
        options["icc_profile"] = icc
    out = io.BytesIO()
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


def markup(picture: Picture, alt: str, base_path: str, eager: bool, attrs: str = "", sizes: str = SIZES, width: int | None = None) -> str:
    """A <picture>: AVIF and WebP sources, and an <img> in the original's format with srcset,
    sizes, width and height (so the page does not move as it loads). `alt` is already escaped;
    `width` (CSS px), when the author set one, is the width shown, the height following it."""
    if width is not None:
        sizes = f"{width}px"
    shown_w, shown_h = (width, max(1, round(picture.height * width / picture.width))) if width else (picture.width, picture.height)
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
        f' width="{shown_w}" height="{shown_h}" alt="{alt}"{attrs}{loading}></picture>'
    )


def produce(root: Path, cache: Path | None, picture: Picture) -> dict[str, bytes]:
    """Every published file of `picture` (url -> bytes): from `cache` (a folder, content-addressed
    by the original's digest) when it holds them all, else made and kept there."""
    urls = picture.urls
    folder = cache / f"{picture.digest}-{SETTINGS}" if cache is not None else None
    if folder is not None:
        with contextlib.suppress(OSError):  # none, or some files missing (a build pruning the cache): make them
            return {u: (folder / posixpath.basename(u)).read_bytes() for u in urls}
    try:
        data = (root / picture.path).read_bytes()
    except OSError as exc:
        raise fail(picture.path, 0, f"cannot read: {exc.strerror}") from None
    if hashlib.sha256(data).hexdigest()[:16] != picture.digest:  # saved again since it was checked
        raise fail(picture.path, 0, "changed while the site was being built; build again")
    made = make(picture, data)
    if folder is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written (read-only, disk full) is no cache
            folder.mkdir(parents=True, exist_ok=True)
            for url, file_data in made.items():
                partial = folder / f"{posixpath.basename(url)}.{os.getpid()}.tmp"
                partial.write_bytes(file_data)
                partial.replace(folder / posixpath.basename(url))  # atomic: a stopped build leaves no half-written image
    return made


def prune(cache: Path, kept: Iterable[Picture]) -> None:
    """Delete from `cache` the files of every picture not in `kept` (photos replaced or no longer used)."""
    wanted = {f"{picture.digest}-{SETTINGS}" for picture in kept}
    for folder in cache.iterdir() if cache.is_dir() else ():
        if folder.name not in wanted:
            shutil.rmtree(folder, ignore_errors=True)
