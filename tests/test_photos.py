"""Photos in the news: page bundles and assets/ images, resolved, checked, sized and stripped.

Every image here is a real file made with Pillow (tests/images.py)."""

from __future__ import annotations

import io
import json
import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image

from newshub.build import Build
from newshub.errors import BuildError
from newshub.pipeline import Options, build

from . import images as make
from .conftest import MakeSite, preview_options, run_cli, tree

BUNDLE = "content/news/2024-06-10-signing"
ARTICLE = """\
---
title: The signing
image: stage.jpg
image_alt: The hospital's director and two deans sign the agreement on stage
---

The agreement was signed on stage.

![Three people shake hands after the signing](handshake.jpg "After the signing")

The banner read the project's name ![The project banner](/assets/img/banner.png) inline.

<img src="/assets/img/banner.png" alt="The banner again, in raw HTML">

![-](divider.png)
"""


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site(
        {
            f"{BUNDLE}/index.md": ARTICLE,
            f"{BUNDLE}/stage.jpg": make.jpeg(2000, 1500),
            f"{BUNDLE}/handshake.jpg": make.phone_photo(1200, 900),
            f"{BUNDLE}/divider.png": make.png_16bit(600, 20),
            "assets/img/banner.png": make.png_with_alpha(1000, 300),
        }
    )


def built(root: Path) -> Path:
    out = root / "site"
    build(Options(root=root, output=out, cache=True, jobs=1))
    return out


def attrs_of(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag))


def test_a_page_bundle_publishes_its_photos_sized_and_stripped(site: Path) -> None:
    out = built(site)
    page = (out / "news/signing/index.html").read_text()
    imgs = re.findall(r"<img [^>]*>", page)
    assert len(imgs) == 5  # featured, handshake, banner twice, divider
    for tag in imgs:
        a = attrs_of(tag)
        assert a["width"] and a["height"] and a["srcset"] and a["sizes"], tag
        for candidate in [a["src"], *(c.split()[0] for c in a["srcset"].split(", "))]:
            assert (out / candidate.lstrip("/")).is_file(), candidate
    featured, handshake, banner, raw_banner, divider = map(attrs_of, imgs)
    assert "loading" not in featured  # eager: the browser fetches it at once
    assert all(a["loading"] == "lazy" and a["decoding"] == "async" for a in (handshake, banner, raw_banner, divider))
    # The phone photo is stored sideways: it is published upright, 900 wide and 1200 high.
    assert (handshake["width"], handshake["height"]) == ("900", "1200")
    assert handshake["alt"] == "Three people shake hands after the signing"
    assert "<figcaption>After the signing</figcaption></figure>" in page
    assert divider["alt"] == "" and raw_banner["alt"] == "The banner again, in raw HTML"
    assert '<source type="image/webp"' in page and ('<source type="image/avif"' in page) == make_avif()
    published = [p for p in (out / "images").rglob("*") if p.is_file()]
    assert published
    for path in published:
        with Image.open(path) as image:
            exif = image.getexif()
            assert not exif.get_ifd(make.GPS_IFD) and 0x010F not in exif and 0x0110 not in exif, path
            if "handshake" in path.name:
                assert image.height > image.width, path  # upright
    widths = sorted(Image.open(p).width for p in published if p.name.startswith("handshake.") and p.suffix == ".webp")
    assert widths == [480, 900]  # the widths smaller than the photo, and its own 900: nothing is upscaled
    assert {p.suffix for p in published if "handshake" in p.name} >= {".jpg", ".webp"}


def make_avif() -> bool:
    from PIL import features

    return bool(features.check("avif"))


def test_the_featured_image_is_og_image_json_ld_and_a_thumbnail(site: Path) -> None:
    out = built(site)
    page = (out / "news/signing/index.html").read_text()
    og = dict(re.findall(r'<meta property="(og:image[:\w]*)" content="([^"]*)">', page))
    assert og["og:image"].startswith("https://hub.example.org/images/") and og["og:image"].endswith("/stage.jpg")
    assert (og["og:image:width"], og["og:image:height"]) == ("2000", "1500")
    assert og["og:image:alt"] == "The hospital&#39;s director and two deans sign the agreement on stage"
    (out / og["og:image"].removeprefix("https://hub.example.org/")).is_file()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    assert ld["image"] == [og["og:image"]]
    assert '<figure class="featured"><picture>' in page
    assert re.search(r'<article class="news-item with-image">\s*<picture>', (out / "news/index.html").read_text())
    assert re.search(r'<article class="lead-story">\s*<picture>', (out / "index.html").read_text())  # the home page's lead story


def test_formats_editors_upload(make_site: MakeSite) -> None:
    files = {
        "alpha.png": make.png_with_alpha(),
        "cmyk.jpg": make.cmyk_jpeg(),
        "deep.png": make.png_16bit(),
        "moving.gif": make.animated_gif(),
    }
    body = "\n\n".join(f"![A {name}]({name})" for name in files)
    root = make_site({f"{BUNDLE}/index.md": f"---\ntitle: Formats\n---\n\n{body}\n", **{f"{BUNDLE}/{k}": v for k, v in files.items()}})
    out = built(root)
    published = {p.name: p for p in (out / "images").rglob("*") if p.is_file()}
    with Image.open(published["alpha.480.webp"]) as image:
        assert image.mode == "RGBA"  # transparency kept
    with Image.open(published["cmyk.jpg"]) as image:
        assert image.mode == "RGB"
    with Image.open(published["deep.png"]) as image:
        assert image.mode == "L" and image.getextrema()[1] > 200  # 16-bit scaled down, not clipped to black
    with Image.open(published["moving.gif"]) as image:  # an animation kept whole, with its timing
        assert image.n_frames == 3 and image.info["duration"] == 200 and image.size == (200, 120)
    assert not any(name.startswith("moving.") and name != "moving.gif" for name in published)


@pytest.mark.parametrize(
    ("extra", "body", "line", "words"),
    [
        ({}, "![The stage](missing.jpg)", 6, "no such file"),
        ({"a.jpg": make.jpeg()}, "![](a.jpg)", 6, "has no alt text"),
        ({"a.jpg": make.jpeg()}, '<img src="a.jpg">', 6, "has no alt"),
        ({"a.jpg": make.truncated_jpeg()}, "![Broken](a.jpg)", 6, "damaged or truncated"),
        ({"a.png": make.bomb_png()}, "![Huge](a.png)", 6, "20000 x 20000 pixels is over the limit"),
        ({"a.svg": make.SVG}, "![Logo](a.svg)", 6, "SVG images are not published"),
        ({"a.jpg": b"this is text, not a photo"}, "![Text](a.jpg)", 6, "not an image file that can be read"),
        ({}, "![Elsewhere](/img/x.jpg)", 6, "not in the page's folder or assets/"),
        ({}, "![Up](../../../../outside.jpg)", 6, "not in the page's folder or assets/"),
    ],
)
def test_each_broken_image_is_an_error_at_its_line(make_site: MakeSite, extra: dict[str, bytes], body: str, line: int, words: str) -> None:
    text = f"---\ntitle: Broken\ndate: 2024-06-10\n---\n\n{body}\n"
    root = make_site({"content/news/ok.md": "---\ntitle: Fine\ndate: 2024-06-01\n---\n\nFine.\n"})
    assert run_cli(root, "build").returncode == 0
    before = tree(root / "site")
    files = {f"{BUNDLE}/index.md": text, **{f"{BUNDLE}/{k}": v for k, v in extra.items()}}
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data if isinstance(data, bytes) else data.encode())
    result = run_cli(root, "build")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{BUNDLE}/index.md:{line}" in result.stderr and words in result.stderr, result.stderr
    assert tree(root / "site") == before  # nothing written


@pytest.mark.parametrize(
    ("front", "words"),
    [
        ("image: nowhere.jpg\nimage_alt: Nothing", "no such file"),
        ("image: https://cdn.example.org/x.jpg\nimage_alt: Elsewhere", "an image on another site cannot be used here"),
        ("image: /assets/img/banner.png", "add 'image_alt:'"),
    ],
)
def test_a_featured_image_must_exist_and_be_described(make_site: MakeSite, front: str, words: str) -> None:
    root = make_site({f"{BUNDLE}/index.md": f"---\ntitle: T\n{front}\n---\n\nText.\n", "assets/img/banner.png": make.png_with_alpha()})
    result = run_cli(root, "build")
    assert result.returncode != 0 and f"{BUNDLE}/index.md:3" in result.stderr and words in result.stderr, result.stderr


def test_images_are_deterministic_and_a_no_op_build_writes_nothing(site: Path, tmp_path: Path) -> None:
    out = built(site)
    first = tree(out)
    again = build(Options(root=site, output=out, cache=True, jobs=1))
    assert again.written == 0 and tree(out) == first
    other = tmp_path / "other"
    build(Options(root=site, output=other, cache=False, jobs=2))  # no cache, in worker processes
    assert tree(other) == first


def test_a_translation_in_the_bundle_shares_its_photos(site: Path) -> None:
    zh = ARTICLE.replace("title: The signing", "title: 签约").replace("image_alt: The hospital", "image_alt: 医院")
    (site / BUNDLE / "index.zh.md").write_text(zh)
    out = built(site)
    en, cn = (out / "news/signing/index.html").read_text(), (out / "zh/news/signing/index.html").read_text()
    pictures = re.compile(r'src="(/images/[^"]+)"')
    assert pictures.findall(en) == pictures.findall(cn) and pictures.findall(en)


def test_the_preview_serves_photos_and_follows_a_saved_photo(site: Path) -> None:
    project = Build(preview_options(site))
    project.load()
    page = project.page("news/signing/index.html")
    assert page is not None
    src = re.search(rb'<img src="(/images/[^"]+/handshake\.jpg)"', page)
    assert src is not None
    served = project.page(src.group(1).decode().lstrip("/"))
    assert served is not None and Image.open(io.BytesIO(served)).size == (900, 1200)
    (site / BUNDLE / "handshake.jpg").write_bytes(make.jpeg(640, 480))  # saved again, another photo
    assert project.apply(content=[f"{BUNDLE}/handshake.jpg"])
    page = project.page("news/signing/index.html")
    assert page is not None and src.group(1) not in page
    now = re.search(rb'<img src="(/images/[^"]+/handshake\.jpg)"[^>]*width="640" height="480"', page)
    assert now is not None and project.page(now.group(1).decode().lstrip("/")) is not None


def test_projects_and_partners_have_images(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/projects/robot.yaml": (
                "title: Robot\nstatus: active\nimage: robot.jpg\nimage_alt:\n  en: The robot arm over a model\n  zh: 机器人手臂\n"
            ),
            "content/projects/robot.jpg": make.jpeg(1600, 900),
            "content/partners/campus.yaml": "name:\n  en: Campus\n  zh: 校园\nkind: university\nimage: /assets/img/campus.png\n",
            "assets/img/campus.png": make.png_with_alpha(400, 200),
        }
    )
    out = built(root)
    project = (out / "projects/robot/index.html").read_text()
    assert re.search(r'<figure class="featured"><picture>.*alt="The robot arm over a model"', project)
    assert '<meta property="og:image:alt" content="The robot arm over a model">' in project
    assert 'alt="机器人手臂"' in (out / "zh/projects/robot/index.html").read_text()
    partner = (out / "partners/campus/index.html").read_text()
    assert re.search(r'<p class="logo"><picture>.*alt="Campus"', partner) and 'property="og:image"' in partner
    broken = make_site({"content/projects/robot.yaml": "title: Robot\nstatus: active\nimage: robot.jpg\n"}, name="broken")
    result = run_cli(broken, "build")
    assert result.returncode != 0 and "content/projects/robot.yaml:3: image: 'robot.jpg': no such file" in result.stderr, result.stderr


def test_a_page_can_be_a_bundle_too(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/pages/about/index.md": "---\ntitle: About\n---\n\n![Our building](building.jpg)\n",
            "content/pages/about/index.zh.md": "---\ntitle: 关于\n---\n\n![我们的大楼](building.jpg)\n",
            "content/pages/about/building.jpg": make.jpeg(800, 600),
        }
    )
    out = built(root)
    for page in ("about/index.html", "zh/about/index.html"):
        assert re.search(r'<img src="/images/\w+/building\.jpg"', (out / page).read_text()), page


# --- in Chromium, on a phone ------------------------------------------------------------------------

CLS = """
window.__cls = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.mark.browser
def test_a_phone_shows_the_first_photo_at_once_small_and_without_layout_shift(make_site: MakeSite) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from tests.hardening.deployed import static_server

    photos = {f"photo-{i}.jpg": make.jpeg(2400, 1600) for i in range(3)}
    shown = [f"![Photo {i} of the ceremony]({name})\n\nText {i}." for i, name in enumerate(photos)]
    body = "A short opening paragraph.\n\n" + "\n\n".join(shown)
    files = {f"{BUNDLE}/{k}": v for k, v in photos.items()}
    root = make_site({f"{BUNDLE}/index.md": f"---\ntitle: Three photos\n---\n\n{body}\n", **files})
    out = built(root)
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    with static_server(out) as port, playwright.sync_playwright() as p:
        browser = p.chromium.launch(headless=True, executable_path="/usr/bin/chromium", args=args)
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1).new_page()
            fetched: list[str] = []
            page.on("request", lambda request: fetched.append(request.url) if "/images/" in request.url else None)
            page.add_init_script(CLS)
            page.goto(f"http://127.0.0.1:{port}/news/signing/", wait_until="load")
            page.wait_for_timeout(300)
            first = page.evaluate(
                """() => { const img = document.querySelector('.prose img'); const box = img.getBoundingClientRect();
                  return {src: img.currentSrc, done: img.complete && img.naturalWidth > 0, top: box.top, bottom: box.bottom,
                          width: box.width, height: box.height, vh: innerHeight, loading: img.loading}; }"""
            )
            assert first["done"] and first["top"] >= 0 and first["bottom"] <= first["vh"], first  # visible, loaded
            assert first["loading"] == "auto"  # the first image is not lazy
            assert re.search(r"/photo-0\.480\.(avif|webp)$", first["src"]), first  # the small modern file, not the original
            assert round(first["height"] / first["width"], 2) == round(1600 / 2400, 2)
            assert not any(url.endswith(tuple(photos)) for url in fetched), fetched  # no original JPEG downloaded
            assert page.evaluate("window.__cls") == 0
        finally:
            browser.close()


def test_the_preview_server_follows_a_photo_saved_in_the_editor(site: Path) -> None:
    from tests.preview_server import running

    with running(site) as server:
        status, _, page = server.get("/news/signing/")
        src = re.search(rb'<img src="(/images/[^"]+/handshake\.jpg)"', page)
        assert status == 200 and src is not None
        status, headers, data = server.get(src.group(1).decode())
        assert status == 200 and headers["content-type"] == "image/jpeg" and Image.open(io.BytesIO(data)).size == (900, 1200)
        webp = re.search(rb'(/images/[^" ]+/handshake\.480\.webp)', page)
        assert webp is not None and server.get(webp.group(1).decode())[1]["content-type"] == "image/webp"
        (site / BUNDLE / "handshake.jpg").write_bytes(make.jpeg(640, 480))
        deadline = time.monotonic() + 20
        while src.group(1) in page and time.monotonic() < deadline:
            time.sleep(0.1)
            page = server.get("/news/signing/")[2]
        now = re.search(rb'<img src="(/images/[^"]+/handshake\.jpg)"[^>]*width="640" height="480"', page)
        assert now is not None and server.get(now.group(1).decode())[0] == 200
        (site / BUNDLE / "handshake.jpg").unlink()  # a photo deleted: the error is shown, the last good page stays
        deadline = time.monotonic() + 20
        while b"no such file" not in page and time.monotonic() < deadline:
            time.sleep(0.1)
            page = server.get("/news/signing/")[2]
        assert b'id="newshub-overlay"' in page and b"no such file: content/news/2024-06-10-signing/handshake.jpg" in page
        assert b"<h1>The signing" in page


def _with(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def test_attacks_found_in_review(make_site: MakeSite, tmp_path: Path) -> None:
    """What a reviewer broke: each of these built wrongly, crashed or published too much."""
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(make.jpeg(300, 200))
    damaged_exif = bytearray(make.phone_photo(300, 200))
    damaged_exif[55] = 5  # the Make tag's type becomes RATIONAL
    scene = Image.open(io.BytesIO(make.jpeg(640, 480)))
    cmyk_icc = Image.open(io.BytesIO(make.cmyk_jpeg()))
    frames = [scene.rotate(a) for a in (0, 90)]
    files: dict[str, str | bytes] = {
        f"{BUNDLE}/logo.gif": _with(Image.new("P", (100, 80)), "GIF"),  # a static GIF
        f"{BUNDLE}/exif.jpg": bytes(damaged_exif),
        f"{BUNDLE}/camera.jpg": _with(scene, "MPO", save_all=True, append_images=[scene.rotate(180)]),
        f"{BUNDLE}/cmyk.jpg": _with(cmyk_icc, "JPEG", icc_profile=b"\0" * 128 + b"CMYK"),
        f"{BUNDLE}/said.jpg": _with(scene, "JPEG", comment=b"SECRETMAKE"),
        f"{BUNDLE}/moving.webp": _with(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100),
        f"{BUNDLE}/My Photo #2.JPG": make.jpeg(600, 400),
        f"{BUNDLE}/index.md": (
            "---\ntitle: Review\n---\n\n![A logo](logo.gif) ![Damaged EXIF](exif.jpg) ![Camera](camera.jpg)\n\n"
            "![CMYK](cmyk.jpg) ![Said](said.jpg) ![Moving](moving.webp) ![Mine](My%20Photo%20%232.JPG)\n\n"
            '[See the full photo](said.jpg) <img src="said.jpg" alt="Small" width="120" loading="eager">\n'
        ),
    }
    root = make_site(files)
    out = built(root)
    page = (out / "news/signing/index.html").read_text()
    published = {p.name: p for p in (out / "images").rglob("*") if p.is_file()}
    assert "my-photo-2.jpg" in published and re.search(r'<img src="/images/\w+/my-photo-2\.jpg"', page)  # %20 decoded, name made safe
    assert {"logo.gif", "exif.jpg", "camera.jpg", "cmyk.jpg"} <= published.keys()
    with Image.open(published["cmyk.jpg"]) as image:
        assert image.mode == "RGB" and "icc_profile" not in image.info  # a CMYK profile does not describe RGB
    for name in ("said.jpg", "said.480.jpg"):
        assert b"SECRETMAKE" not in published[name].read_bytes()
    with Image.open(published["moving.webp"]) as image:
        assert image.n_frames == 2  # an animation stays one
    assert re.search(r'<a href="/images/\w+/said\.jpg">See the full photo</a>', page)  # a link to a photo: its published file
    assert re.search(r'<img src="/images/\w+/said\.jpg"[^>]*sizes="120px" width="120" height="90" alt="Small">', page)
    feed = (out / "feed.xml").read_text()
    assert 'srcset="/images' not in feed and "srcset=&quot;/images" not in feed  # absolute in feeds too

    (root / BUNDLE / "secret.jpg").symlink_to(outside)
    (root / BUNDLE / "index.md").write_text("---\ntitle: Review\n---\n\n![Secret](secret.jpg) ![Blank](said.jpg)\n")
    text = (root / BUNDLE / "index.md").read_text().replace("![Blank](said.jpg)", '<img src="said.jpg" alt=" ">')
    (root / BUNDLE / "index.md").write_text(text)
    result = run_cli(root, "build")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{BUNDLE}/index.md:5: image 'secret.jpg': a symbolic link to a file outside the project" in result.stderr
    assert f'{BUNDLE}/index.md:5: <img src="said.jpg"> has no alt' in result.stderr


def test_a_no_op_build_reads_no_image_again(site: Path) -> None:
    built(site)
    photo = site / BUNDLE / "stage.jpg"
    stat = photo.stat()
    photo.write_bytes(b"\0" * stat.st_size)  # garbage of the same size and time: a build that read it would fail
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = build(Options(root=site, output=site / "site", cache=True, jobs=1))
    assert report.written == 0


def test_the_image_cache_keeps_only_what_the_site_uses(site: Path) -> None:
    built(site)
    cache = site / ".newshub-cache/images"
    before = {p.name for p in cache.iterdir()}
    (site / BUNDLE / "handshake.jpg").write_bytes(make.jpeg(700, 500))  # the photo replaced
    built(site)
    after = {p.name for p in cache.iterdir()}
    assert len(before) == len(after) == 4 and len(before & after) == 3  # one folder gone, one new


def test_second_review(make_site: MakeSite, tmp_path: Path) -> None:
    """What a code review found: crashes, a project body's missing image, assets/ photos published
    with their GPS position, a linked bundle folder, /images/ as a page, a stale link target."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.md").write_text("---\ntitle: Linked\n---\n\nFrom outside.\n")
    root = make_site(
        {
            f"{BUNDLE}/index.md": (
                "---\ntitle: T\nimage: /assets/img/phone.jpg\nimage_alt: A phone photo\n---\n\n"
                '<img src="/assets/img/phone.jpg" alt="Sized" width="²">\n\n[full photo](big.jpg)\n'
            ),
            "assets/img/phone.jpg": make.phone_photo(300, 200),
        }
    )
    with pytest.raises(BuildError) as dead:  # a link to a photo that is not there is a dead link
        built(root)
    assert str(dead.value) == (
        f"{BUNDLE}/index.md:9: dead link 'big.jpg': no page or file of the site has this URL;"
        " check the file name, or put the file next to the page or in assets/"
    )
    (root / BUNDLE / "big.jpg").write_bytes(make.jpeg(500, 400))  # the link's photo appears: the cached parse follows
    out = built(root)
    raw = [p for p in (out / "assets/img").iterdir() if p.name.startswith("phone.")]
    assert raw and b"PhoneMaker" not in raw[0].read_bytes() and not Image.open(raw[0]).getexif()  # the asset copy too
    assert Image.open(raw[0]).size == (200, 300)  # turned as its EXIF said, now that the EXIF is gone
    page = (out / "news/signing/index.html").read_text()
    assert re.search(r'<a href="/images/\w+/big\.jpg">full photo</a>', page), page

    broken = make_site(
        {
            "content/projects/robot.yaml": "title: Robot\nstatus: active\nbody: '![Arm](missing.jpg)'\n",
            "content/news/nul.md": "---\ntitle: N\ndate: 2024-01-01\n---\n\n![x](a%00.jpg)\n",
        },
        name="broken",
    )
    (broken / "content/news/linked").symlink_to(elsewhere, target_is_directory=True)
    result = run_cli(broken, "build")
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert "content/projects/robot.yaml" in result.stderr and "missing.jpg': no such file" in result.stderr
    assert "content/news/nul.md:6: image 'a%00.jpg': no such file" in result.stderr
    assert "content/news/linked/index.md: is a symbolic link to a file outside the project" in result.stderr
    page = make_site({"content/pages/images.md": "---\ntitle: Images\n---\n\nOur photos.\n"}, name="page")
    result = run_cli(page, "build")
    assert result.returncode != 0 and "content/pages/images.md" in result.stderr  # /images/ is where photos are published


def test_a_drafts_photos_are_published_only_with_its_page(site: Path) -> None:
    # A draft's own photos are not in a build without --drafts (its URL would tell of it before it
    # is out), and are with --drafts, as in the preview; a published article's are either way.
    draft = "content/news/2024-06-11-plans"
    (site / draft).mkdir()
    (site / draft / "index.md").write_text("---\ntitle: Plans\ndraft: true\n---\n\n![The plan on a whiteboard](plan.jpg)\n")
    (site / draft / "plan.jpg").write_bytes(make.jpeg(800, 600))
    out = built(site)
    with_drafts = site.parent / "with-drafts"
    build(Options(root=site, output=with_drafts, cache=False, jobs=1, drafts=True))

    def photos(folder: Path) -> set[str]:
        return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix in (".jpg", ".webp")}

    assert photos(out) and photos(out) < photos(with_drafts)  # the draft's photo files come only with --drafts
    assert "news/plans/index.html" not in tree(out) and (with_drafts / "news/plans/index.html").is_file()
