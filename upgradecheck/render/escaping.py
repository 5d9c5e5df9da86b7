"""Making untrusted strings (object names, file names, messages) inert in each output format."""

from __future__ import annotations

import json
import re
from typing import Any

# ANSI/VT escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-byte
# ESC sequences; the 8-bit CSI and OSC introducers (0x9b, 0x9d) behave the same way.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]"
)
# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides and
# isolates that can make a name read differently from what it is ("Trojan Source").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_WHITESPACE = re.compile(r"\s+")

# Characters with a meaning in GitHub-flavoured Markdown wherever they stand. `<` `>` `&`
# become entities instead (raw HTML); `@` would mention people, `$` starts maths.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~@#$])")
# Characters that would start a nested list or a heading underline at the start of a value.
_MD_LEADING = re.compile(r"^[-+=]")


def clean(value: object) -> str:
    """`value` as text without terminal escape sequences, control or bidi-override characters.

    Tabs and newlines are kept; use `one_line` for table cells.
    """
    text = "" if value is None else str(value)
    return _CONTROL.sub("", _ANSI.sub("", text))


def one_line(value: object) -> str:
    """`clean(value)` with every run of whitespace (newlines included) made one space."""
    return _WHITESPACE.sub(" ", clean(value)).strip()


def shorten(value: object, limit: int) -> str:
    """`one_line(value)`, cut to at most `limit` characters with an ellipsis when longer."""
    text = one_line(value)
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def markdown_text(value: object) -> str:
    """Plain text that GitHub-flavoured Markdown shows as written, safe in a table cell.

    Emphasis, code, links, pipes, mentions, maths and raw HTML are all neutralised, and
    newlines are folded so the value cannot start a new block or table row.
    """
    text = one_line(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return "\\" + text if _MD_LEADING.match(text) else text


def markdown_code(value: object, *, table: bool = False) -> str:
    """`value` as an inline code span (its text shown verbatim), safe in a table cell if asked.

    The fence is longer than any run of backticks inside. In a table a pipe is escaped (GFM
    allows `\\|` inside code spans in tables); a value that also holds a backslash falls back
    to escaped text, because `\\\\|` would end the cell.
    """
    text = one_line(value)
    if not text:
        return ""
    if table and "|" in text:
        if "\\" in text:
            return markdown_text(text)
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def terminal_text(value: object) -> str:
    """`one_line(value)`: what a terminal can print without obeying anything inside it."""
    return one_line(value)


# json.dumps escapes C0 controls itself; escape DEL, C1 controls (0x9b starts a terminal
# sequence on some terminals) and the line separators too, so `cat report.json` is inert.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def inert_json(document: Any, *, floats: bool = True) -> str:
    """`document` as indented JSON in its own key order, with C1 controls, line separators
    and bidi overrides escaped so that printing it to a terminal is harmless. `floats=False`
    promises that the document holds no float (a report: strings, integers, booleans and
    null), which lets msgspec write it: see `_indented`."""
    text = _indented(document) if not floats else _stdlib_indented(document)
    if text.isascii() and "\x7f" not in text:
        # Nothing to escape (the one ASCII character escaped is DEL): told in a few
        # milliseconds where the search takes a fifth of a second on a 50 MB report.
        return text + "\n"
    return _inert(text) + "\n"


def inert_json_bytes(document: Any) -> bytes:
    """`encoded(inert_json(document, floats=False))`, made as bytes: the document goes from
    msgspec to the file without becoming text and bytes again (three copies of a 50 MB
    report spared) unless it holds a byte that starts a character to escape (the usual
    report holds none, arrows and accents aside); then it is escaped as text."""
    data = _msgspec_indented(document)
    if data is None:
        return encoded(inert_json(document, floats=False))
    if _may_hold_unsafe(data):
        return encoded(_inert(str(data, "utf-8")) + "\n")
    return data + b"\n"


# The UTF-8 bytes that start a character of `_JSON_UNSAFE` (msgspec writes valid UTF-8,
# where they start nothing else): DEL; U+0080-U+00BF, the C1 controls among them;
# U+2000-U+207F, the line separators, bidi overrides and isolates among them.
_UNSAFE_LEADS = (b"\x7f", b"\xc2", b"\xe2\x80", b"\xe2\x81")
_ONE_BYTE_LEADS = tuple(lead for lead in _UNSAFE_LEADS if len(lead) == 1)
# The two-byte leads share their first byte (0xE2): one find serves both.
(_FIRST_OF_TWO,) = {lead[0] for lead in _UNSAFE_LEADS if len(lead) == 2}
_SECOND_OF_TWO = frozenset(lead[1] for lead in _UNSAFE_LEADS if len(lead) == 2)
_LEADS_LOOKED_AT = 4096


def _may_hold_unsafe(data: bytes) -> bool:
    """Whether `data` holds one of `_UNSAFE_LEADS`: for ASCII, told by DEL alone. The
    one-byte leads are found by memchr; the two-byte ones by finding their first byte, as
    rare in a report as arrows (a search for two bytes scans 50 MB ten times slower), and
    looking at the byte after it; past `_LEADS_LOOKED_AT` of them, by searching for each
    lead after all."""
    if data.isascii():
        return b"\x7f" in data
    if any(lead in data for lead in _ONE_BYTE_LEADS):
        return True
    at = data.find(_FIRST_OF_TWO)
    for _ in range(_LEADS_LOOKED_AT):
        if at < 0:
            return False
        if at + 1 < len(data) and data[at + 1] in _SECOND_OF_TWO:
            return True
        at = data.find(_FIRST_OF_TWO, at + 1)
    return any(lead in data for lead in _UNSAFE_LEADS)


def _inert(text: str) -> str:
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _stdlib_indented(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False)


def _indented(document: Any) -> str:
    """`_stdlib_indented(document)`, written by msgspec: the same text for documents without
    floats (which it writes in another notation), in a sixth of the time, which counts for
    a report of 40,000 findings."""
    data = _msgspec_indented(document)
    return _stdlib_indented(document) if data is None else str(data, "utf-8")


def _msgspec_indented(document: Any) -> bytes | None:
    """The UTF-8 of `_stdlib_indented(document)` for a document without floats, by
    msgspec; None for what msgspec refuses and the standard library writes: a lone
    surrogate, a key that is neither string nor number."""
    import msgspec  # imported here: `scan` starts without it

    try:
        return msgspec.json.format(msgspec.json.encode(document), indent=2)
    except (TypeError, ValueError, RecursionError):
        return None


def encoded(text: str) -> bytes:
    """`text` as the UTF-8 bytes of an output file. A lone surrogate (a file name's
    undecodable byte, `\\ud800` from a JSON string) cannot be UTF-8: it is written as its
    escape `\\udcff`, which JSON reads back as the same character and every other format
    shows as text, so no report ever fails to be written for it."""
    return text.encode("utf-8", "backslashreplace")
