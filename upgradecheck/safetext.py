"""Text from outside (an API server, a kubeconfig) made safe to show on a terminal: control
characters escaped, credentials in URLs hidden."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def _escaped(char: str) -> str:
    code = ord(char)
    if char.isprintable():
        return char
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: object, limit: int | None = None) -> str:
    """`text` as one line with every character Python does not deem printable written as an
    escape (`\\x1b`): control characters, whose escape sequences could retitle a terminal
    or move its cursor, and the bidirectional overrides that make a line read differently
    from what it holds. Cut to `limit` characters (with an ellipsis) when given."""
    out = text if isinstance(text, str) else str(text)
    if not out.isprintable():  # the common case, clean text, costs one scan in C
        out = "".join(map(_escaped, out))
    if limit is not None and len(out) > limit:
        out = out[: max(limit - 1, 0)] + "…"
    return out


def redact_url(url: str) -> str:
    """`url` without the user name and password it may carry (`https://u:p@h` → `https://h`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
