"""Fixtures for the CI integrations (GitHub Action, pre-commit hook, kubectl plugin): the
project installed as those tools install it, in seconds.

Installing upgradecheck into a fresh virtual environment the way the action and pre-commit do
(`pip install <the checkout>`) is what these tests prove; downloading and installing its
dependencies again each time would only add minutes. So the installs here build and install
upgradecheck itself for real (PIP_NO_DEPS, no build isolation: hatchling comes from the test
environment), and find the dependencies, and nothing else, on PYTHONPATH: a folder of links
to the test environment's packages without upgradecheck.
"""

from __future__ import annotations

import importlib.util
import os
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def dependencies_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding links to every installed package except upgradecheck itself."""
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip("hatchling is not installed (pip install '.[test]')")
    folder = tmp_path_factory.mktemp("dependencies")
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        name = entry.name.lower()
        if name.startswith(("upgradecheck", "_editable_impl_upgradecheck", "__editable__")):
            continue
        if name in ("__pycache__",) or name.endswith(".pth"):
            continue
        (folder / entry.name).symlink_to(entry)
    return folder


@pytest.fixture(scope="session")
def install_env(dependencies_only: Path) -> dict[str, str]:
    """The environment under which `pip install <checkout>` installs only upgradecheck, and
    the installed upgradecheck finds its dependencies."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(
        PYTHONPATH=str(dependencies_only),
        PIP_NO_DEPS="1",
        PIP_NO_BUILD_ISOLATION="0",  # pip's spelling of --no-build-isolation
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        NO_COLOR="1",
    )
    return env
