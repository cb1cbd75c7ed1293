"""suggest: 'did you mean' only for a genuinely close key, choice or id."""

from __future__ import annotations

import pytest

from newshub.suggest import closest

KEYS = ("title", "date", "summary", "tags", "projects", "partners", "image", "image_alt", "iframe_hosts", "languages", "status")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tittle", "title"),  # a letter added
        ("tagz", "tags"),  # changed
        ("langauges", "languages"),  # two swapped
        ("Title", "title"),  # letter case
        ("partner", "partners"),  # dropped
        ("iframes", "iframe_hosts"),  # the same beginning
        ("updated", None),  # shares letters with 'date', but is no slip for it
        ("publish_date", None),
        ("subtitle", None),
        ("a", None),
    ],
)
def test_only_close_words_are_suggested(typed: str, expected: str | None) -> None:
    assert closest(typed, KEYS) == expected


def test_ids() -> None:
    assert closest("robott", ["acme", "robot"]) == "robot"
    assert closest("nope", ["acme", "robot"]) is None
    assert closest("x", []) is None
