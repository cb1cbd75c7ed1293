"""images.where_to_put: the two places an image can be, as the editor refers to it."""

from __future__ import annotations

import pytest

from newshub.images import where_to_put

ASSETS = "or put it in assets/img/ and refer to it as /assets/img/team.jpg"


@pytest.mark.parametrize(
    ("src", "rel", "here"),
    [
        ("team.jpg", "content/news/2024-06-10-signing/index.md", "put team.jpg in content/news/2024-06-10-signing/ (beside index.md)"),
        ("team.jpg", "content/news/a.md",
         "make the page a page bundle (move content/news/a.md to content/news/a/index.md), put team.jpg beside it"),
        ("team.jpg", "content/pages/about.zh.md",
         "make the page a page bundle (move content/pages/about.zh.md to content/pages/about/index.zh.md), put team.jpg beside it"),
        ("team.jpg", "content/news/node.js-guide.md",
         "make the page a page bundle (move content/news/node.js-guide.md to content/news/node.js-guide/index.md), put team.jpg beside it"),
        ("https://cdn.example.org/team.jpg?w=1", "content/projects/robot.yaml", "put team.jpg in content/projects/"),
    ],
)  # fmt: skip
def test_where_to_put_names_the_bundle_and_assets(src: str, rel: str, here: str) -> None:
    assert where_to_put(src, rel) == f"{here} and refer to it as team.jpg, {ASSETS}"


def test_a_reference_that_is_no_image_name_gets_an_example_name() -> None:
    assert where_to_put("javascript:alert(1)", "content/partners/acme.yaml").startswith("put photo.jpg in content/partners/")
