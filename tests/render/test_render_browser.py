"""The HTML page renders in a real browser, offline: headless Chromium writes a screenshot."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from support.render_reports import realistic

from upgradecheck.render.html import HtmlRenderer

CHROMIUM = next(
    (
        found
        for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshot_report.sh"


def png_size(path: Path) -> tuple[int, int]:
    """The width and height of a PNG, from its IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(HtmlRenderer().render(realistic()), encoding="utf-8")
    shot = tmp_path / "report.png"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        page.as_uri(),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    assert shot.exists(), "chromium wrote no screenshot"
    assert png_size(shot) == (1280, 2000)
    # A blank page compresses to a few kilobytes; a rendered report does not.
    assert shot.stat().st_size > 50_000


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_screenshot_script(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(HtmlRenderer().render(realistic()), encoding="utf-8")
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        ["bash", str(SCRIPT), str(page), str(shot), "800x600"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "CHROMIUM": str(CHROMIUM)},
    )
    assert result.stdout.strip() == str(shot)
    assert png_size(shot) == (800, 600)


def test_screenshot_script_refuses_a_missing_file(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(SCRIPT), str(tmp_path / "missing.html")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "no such file" in result.stderr


def dump_dom(page: Path, tmp_path: Path) -> str:
    """The page's DOM after its scripts ran, as headless Chromium sees it."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120).stdout


def rules_in_order(dom: str) -> list[str]:
    table = dom.partition('id="findings-table"')[2].partition("</table>")[0]
    return re.findall(r'<code class="rule">([^<]+)</code>', table)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_findings_table_sorts_in_a_browser_under_the_pages_own_policy(tmp_path: Path) -> None:
    html = HtmlRenderer().render(realistic())
    # A click on the Rule heading, twice (ascending, then descending), made by one more
    # script that the test allows by its hash beside the page's own.
    clicks = (
        "var th = document.querySelectorAll('#findings-table th')[2];"
        "th.click(); document.body.setAttribute('data-up', th.getAttribute('aria-sort'));"
        "var up = Array.prototype.map.call(document.querySelectorAll("
        "'#findings-table code.rule'), function (c) { return c.textContent; }).join(',');"
        "document.body.setAttribute('data-up-rules', up); th.click();"
    )
    digest = base64.b64encode(hashlib.sha256(clicks.encode()).digest()).decode()
    page = tmp_path / "report.html"
    page.write_text(
        html.replace("script-src '", f"script-src 'sha256-{digest}' '").replace(
            "</body>", f"<script>{clicks}</script></body>"
        ),
        encoding="utf-8",
    )
    dom = dump_dom(page, tmp_path)
    assert 'class="findings js-sortable"' in dom  # the page's script ran under its policy
    assert 'data-up="ascending"' in dom and 'aria-sort="descending"' in dom
    original = [f.rule for f in realistic().findings]
    ascending = re.search(r'data-up-rules="([^"]+)"', dom)
    assert ascending is not None and ascending.group(1).split(",") == sorted(original)
    assert rules_in_order(dom) == sorted(original, reverse=True)
    # the buttons exist only with the script: open all, close all
    assert ">Open all</button>" in dom and ">Close all</button>" in dom
