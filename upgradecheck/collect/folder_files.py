"""The file names that make a folder a Helm chart or a kustomization, known without importing
the readers of either: a scan asks every folder it walks, and most hold neither."""

from __future__ import annotations

CHART_FILE = "Chart.yaml"
"""A folder holding it is a chart, rendered whole."""

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
"""A folder holding one of them is a kustomization, built whole (kustomize's own list)."""
