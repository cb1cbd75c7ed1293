"""text: segment breaks joined as CSS Text Level 3 (4.1.2) joins them."""

from __future__ import annotations

import pytest

from newshub.text import join_breaks, unfold


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("方面开\n展合作", "方面开展合作"),  # Chinese
        ("方面开 \n  展", "方面开展"),  # the spaces around the break go with it
        ("にほん\nご", "にほんご"),  # Japanese kana are wide too
        ("合作，\n然后", "合作，然后"),  # full-width punctuation
        ("ｶﾀ\nｶﾅ", "ｶﾀｶﾅ"),  # half-width katakana (East Asian Width H)
        ("한국\n어", "한국\n어"),  # Hangul is spaced by words: the break stays a space
        ("sign\ning", "sign\ning"),
        ("中文\nEnglish", "中文\nEnglish"),
        ("a\u200b\nb", "a\u200bb"),  # a zero-width space beside the break removes it
    ],
)
def test_join_breaks(text: str, joined: str) -> None:
    assert join_breaks(text) == joined


def test_breaks_at_the_ends_are_judged_by_the_neighbours() -> None:
    assert join_breaks("开\n", after="展") == "开"
    assert join_breaks("\n展", before="开") == "展"
    assert join_breaks("开\n", after="x") == "开\n"


def test_unfold() -> None:
    assert unfold("在方面开 展研制") == "在方面开展研制"
    assert unfold("A robot that guides") == "A robot that guides"
    assert unfold("机器人 robot 机器人") == "机器人 robot 机器人"
