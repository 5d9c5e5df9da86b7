"""Fixtures for the knowledge-base tests: the bundled knowledge base and editable copies."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.kbpaths import DATA

from upgradecheck.knowledge import KnowledgeBase, load_knowledge_base


@pytest.fixture(scope="session")
def bundled() -> KnowledgeBase:
    """The knowledge base shipped in deprecations/."""
    return load_knowledge_base()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of deprecations/ (named deprecations so messages read the same)."""
    target = tmp_path / "deprecations"
    shutil.copytree(DATA, target)
    return target


Editor = Callable[[str, Callable[[dict[str, Any]], None]], Path]


@pytest.fixture
def edit(data_copy: Path) -> Editor:
    """Change one file of the copy through a function on its parsed document."""

    def apply(name: str, change: Callable[[dict[str, Any]], None]) -> Path:
        path = data_copy / name
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(document)
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return data_copy

    return apply
