"""The HTML page renders in a real browser, offline: headless Chromium writes a screenshot."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from render_reports import realistic

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
