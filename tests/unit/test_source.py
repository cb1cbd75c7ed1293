"""source: bytes to text. Every encoding problem is positioned; line endings never shift lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from newshub.errors import BuildError
from newshub.source import MAX_BYTES, decode, read_text


def test_plain_utf8_passes_through() -> None:
    assert decode("标题 — ok\n".encode(), "a.md") == "标题 — ok\n"


@pytest.mark.parametrize("data", [b"a\r\nb\r\n", b"a\rb\r", b"a\nb\n", b"\xef\xbb\xbfa\r\nb\n"])
def test_bom_and_line_endings_are_normalised(data: bytes) -> None:
    assert decode(data, "a.md") == "a\nb\n"


def test_mixed_line_endings_keep_line_count() -> None:
    assert decode(b"1\r\n2\r3\n4", "a.md").split("\n") == ["1", "2", "3", "4"]


def test_invalid_utf8_names_file_line_and_byte() -> None:
    with pytest.raises(BuildError) as info:
        decode(b"line one\nline two\ncaf\xe9\n", "content/news/a.md")
    (problem,) = info.value.problems
    assert (problem.path, problem.line) == ("content/news/a.md", 3)
    assert "not UTF-8" in problem.message and "byte 21" in problem.message
    assert str(problem).startswith("content/news/a.md:3: ")


def test_nul_character_is_refused_with_its_line() -> None:
    with pytest.raises(BuildError) as info:
        decode(b"a\nb\x00\n", "x.md")
    assert info.value.problems[0].line == 2


def test_oversized_file_is_refused() -> None:
    with pytest.raises(BuildError, match="limit is 8 MB"):
        decode(b"a" * (MAX_BYTES + 1), "big.md")


def test_read_text_reports_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as info:
        read_text(tmp_path / "missing.yaml", "content/missing.yaml")
    assert info.value.problems[0].path == "content/missing.yaml"
    assert "cannot read" in info.value.problems[0].message
    (tmp_path / "ok.yaml").write_bytes(b"a: 1\r\n")
    assert read_text(tmp_path / "ok.yaml", "ok.yaml") == "a: 1\n"
