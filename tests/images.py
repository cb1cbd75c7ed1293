"""Real image files for the photo tests, made with Pillow: the kinds editors really upload."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _scene(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture with shapes, so that a turn or a crop shows in the pixels."""
    image = Image.new("RGB", size, (30, 90, 160))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((0, 0, w // 3, h // 5), fill=(230, 40, 40))  # a red band at the top left
    draw.ellipse((w // 3, h // 3, 2 * w // 3, 2 * h // 3), fill=(240, 220, 60))
    return image.convert(mode) if mode != "RGB" else image


def phone_photo(width: int = 1200, height: int = 900) -> bytes:
    """A JPEG stored sideways (EXIF orientation 6: shown turned a quarter clockwise) with the GPS
    position and camera a phone writes."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 30.0), 3: "E", 4: (121.0, 28.0, 10.0)}
    out = io.BytesIO()
    _scene((width, height)).save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def png_with_alpha(width: int = 1000, height: int = 300) -> bytes:
    image = _scene((width, height), "RGBA")
    image.putalpha(Image.linear_gradient("L").resize((width, height)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def cmyk_jpeg(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    _scene((width, height), "CMYK").save(out, "JPEG", quality=90)
    return out.getvalue()


def png_16bit(width: int = 640, height: int = 480) -> bytes:
    image = Image.linear_gradient("L").resize((width, height)).convert("I").point(lambda v: v * 257).convert("I;16")  # 0..65535
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def animated_gif(width: int = 200, height: int = 120) -> bytes:
    frames = [_scene((width, height)).rotate(angle) for angle in (0, 90, 180)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return out.getvalue()


def jpeg(width: int = 1000, height: int = 750) -> bytes:
    out = io.BytesIO()
    _scene((width, height)).save(out, "JPEG", quality=90)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    data = jpeg(1200, 900)
    return data[: len(data) // 2]


def bomb_png(side: int = 20_000) -> bytes:
    """A PNG that says it is side x side pixels: a few hundred bytes on disk, 400 megapixels decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * (side + 1) * 16)  # the first rows only
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
