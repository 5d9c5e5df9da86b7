"""Text from outside shown safely: control characters escaped, URL credentials dropped."""

from __future__ import annotations

from upgradecheck.safetext import printable, redact_url


def test_control_characters_are_escaped_and_clean_text_kept() -> None:
    assert printable("deployments") == "deployments"
    assert printable("é ü 中文 ✓") == "é ü 中文 ✓"
    assert printable("a\x1b]0;title\x07b") == "a\\x1b]0;title\\x07b"
    assert printable("one\ntwo\tthree\r") == "one\\x0atwo\\x09three\\x0d"
    assert printable("\x9b31m and \u202eevil") == "\\x9b31m and \\u202eevil"
    assert printable(42) == "42"


def test_long_text_is_cut_with_an_ellipsis() -> None:
    assert printable("x" * 10, 5) == "xxxx…"
    assert printable("short", 5) == "short"


def test_credentials_in_urls_are_dropped() -> None:
    assert redact_url("https://admin:s3cret@10.0.0.1:6443/x") == "https://10.0.0.1:6443/x"
    assert redact_url("https://token@host") == "https://host"
    assert redact_url("https://host:6443") == "https://host:6443"
    assert redact_url("http://[::1") == "<unreadable URL>"
