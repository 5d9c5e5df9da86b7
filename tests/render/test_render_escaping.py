"""The sanitisers each format relies on."""

from __future__ import annotations

import json

import pytest

from upgradecheck.render.escaping import (
    clean,
    encoded,
    inert_json,
    inert_json_bytes,
    markdown_code,
    markdown_text,
    one_line,
    shorten,
    terminal_text,
)
from upgradecheck.render.templating import is_http_url


def test_clean_strips_terminal_sequences_and_controls() -> None:
    assert clean("\x1b[31mred\x1b[0m") == "red"
    assert clean("\x1b]8;;http://x\x07link\x1b]8;;\x07") == "link"
    assert clean("a\x00b\x07c\x7fd\x9b2Je") == "abcde"
    assert clean("evil\u202egnp.exe") == "evilgnp.exe"
    assert clean("tab\tand\nnewline") == "tab\tand\nnewline"
    assert clean(None) == ""


def test_one_line_and_shorten() -> None:
    assert one_line("  a\n\n b\t c ") == "a b c"
    assert shorten("abcdef", 4) == "abc…"
    assert shorten("abc", 4) == "abc"


def test_markdown_text_neutralises_markup() -> None:
    assert markdown_text("a|b") == "a\\|b"
    assert markdown_text("`x` *y* _z_ [l](u) ~s~ @team #1 $x$") == (
        "\\`x\\` \\*y\\* \\_z\\_ \\[l\\](u) \\~s\\~ \\@team \\#1 \\$x\\$"
    )
    assert markdown_text("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert markdown_text("line\n| row") == "line \\| row"
    assert markdown_text("- item") == "\\- item"
    assert markdown_text("back\\slash") == "back\\\\slash"


def test_markdown_code_fences_around_backticks() -> None:
    assert markdown_code("a.yaml:3") == "`a.yaml:3`"
    assert markdown_code("a`b") == "``a`b``"
    assert markdown_code("`a`") == "`` `a` ``"
    assert markdown_code("") == ""
    assert markdown_code("a|b", table=True) == "`a\\|b`"
    assert markdown_code("a\\|b", table=True) == "a\\\\\\|b"


def test_terminal_text_is_one_inert_line() -> None:
    assert terminal_text("a\x1b[2J\nb") == "a b"


def test_only_http_links() -> None:
    assert is_http_url("https://kubernetes.io/docs/")
    assert is_http_url("http://example.com")
    assert not is_http_url("javascript:alert(1)")
    assert not is_http_url("data:text/html,x")
    assert not is_http_url("//example.com")
    assert not is_http_url("https://")
    assert not is_http_url(None)


# Every character below U+3000 (the C0 and C1 controls, DEL, the line separators and the
# bidi overrides among them), quotes, backslashes, astral characters, empty containers,
# large integers and key order: what a report can hold.
_DOCUMENT = {
    "z": "".join(chr(c) for c in range(0x3000)) + '"\\\U0001f600\ufeff',
    "a": [[], {}, [{"b": None, "c": True, "d": False}], -(2**63), 2**64 - 1, 0],
    "empty": "",
}


def test_json_without_floats_is_the_standard_librarys() -> None:
    fast = inert_json(_DOCUMENT, floats=False)
    assert fast == inert_json(_DOCUMENT)  # the standard library's text, escaped alike
    assert json.loads(fast) == _DOCUMENT
    assert "\\u009b" in fast and "\\u202e" in fast and "\\u2028" in fast


def test_json_of_ascii_alone_still_escapes_del() -> None:
    # An ASCII report is written without searching it, unless it holds DEL.
    assert inert_json({"a": "x\x7fy"}, floats=False) == '{\n  "a": "x\\u007fy"\n}\n'
    assert inert_json({"a": "x~y"}, floats=False) == '{\n  "a": "x~y"\n}\n'


@pytest.mark.parametrize(
    "document", [{"lone": "\ud800"}, {"big": 2**64}, {True: "boolean key"}, {None: "null key"}]
)
def test_json_that_msgspec_refuses_is_written_by_the_standard_library(document: object) -> None:
    assert inert_json(document, floats=False) == inert_json(document)


@pytest.mark.parametrize(
    "document",
    [
        _DOCUMENT,  # escapes
        {"a": "x\x7fy"},  # ASCII with DEL
        {"a": "plain", "n": [1, None, True]},  # the usual report: ASCII, written as it comes
        {"a": "1.23 → 1.24, café"},  # no lead byte of an escape: not searched
        {"a": "£1 \u2027 \u2030 \u2065 \u206a \xa0"},  # lead bytes, neighbours of escapes
        {"lone": "\ud800"},  # refused by msgspec, written escaped in UTF-8
        {True: "boolean key"},
        {"a": "→" * 5000 + "\u2028"},  # more arrows than are looked at one by one
        {"a": "→" * 5000 + "\u2066", "b": "ok"},
        {"a": "→ \u202e"},  # an escape after an arrow
    ],
)
def test_json_bytes_are_the_texts_utf8(document: object) -> None:
    # What a JSON report's file receives, made without the text between.
    assert inert_json_bytes(document) == encoded(inert_json(document, floats=False))



@pytest.mark.parametrize("arrows", [0, 1, 4095, 4096, 4097])
def test_lead_bytes_are_found_as_a_search_for_each_finds_them(arrows: int) -> None:
    # The search for the two-byte leads through their first byte tells what searching for
    # each lead tells, for every character of the two lead ranges and a sample of the rest
    # up to U+2FFF, after and before any number of arrows (each of which starts with that
    # first byte), and for a lead byte at the very end.
    from upgradecheck.render.escaping import _UNSAFE_LEADS, _may_hold_unsafe

    prefix = ("→" * arrows).encode()
    codes = [*range(0x80, 0x100), *range(0x2000, 0x2080), *range(0x100, 0x3000, 37)]
    for code in codes:
        for data in (prefix + chr(code).encode(), chr(code).encode() + prefix):
            assert _may_hold_unsafe(data) == any(lead in data for lead in _UNSAFE_LEADS)
    assert not _may_hold_unsafe(prefix + b"\xe2")  # a lead byte at the very end
