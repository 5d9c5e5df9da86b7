"""Replacing a file: an interrupted or failed write leaves the earlier file whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from upgradecheck.safewrite import replacing


def test_the_new_content_replaces_the_old_with_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o640)
    with replacing(target) as fh:
        fh.write(b"new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError, ValueError])
def test_a_write_that_stops_half_way_keeps_the_old_file(tmp_path: Path, error: type) -> None:
    target = tmp_path / "snap.json.gz"
    target.write_bytes(b"a good snapshot")
    with pytest.raises(error), replacing(target) as fh:
        fh.write(b"half of a new one")
        raise error()
    assert target.read_bytes() == b"a good snapshot"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json.gz"]


def test_a_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "new.json"
    umask = os.umask(0o022)
    os.umask(umask)
    with replacing(target) as fh:
        fh.write(b"{}")
    assert (target.stat().st_mode & 0o777) == 0o666 & ~umask


def test_a_link_is_followed_and_a_device_written_in_place(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    with replacing(link) as fh:
        fh.write(b"new")
    assert link.is_symlink() and real.read_text() == "new"
    with replacing("/dev/null") as fh:  # no temporary file beside /dev/null, no rename over it
        fh.write(b"discarded")
    assert Path("/dev/null").is_char_device()
