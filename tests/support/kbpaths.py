"""Paths the knowledge-base tests use: the repository, its data folder, the facts file."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "deprecations"
FACTS = REPO.parent / "shared" / "upstream" / "k8s-api-lifecycle.json"
GENERATOR = REPO / "scripts" / "gen_kubernetes_apis.py"
