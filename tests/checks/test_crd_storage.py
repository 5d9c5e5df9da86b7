"""crd-stored-version: stored versions that are deprecated, unserved or gone."""

from __future__ import annotations

from typing import Any

from upgradecheck.checks.crd_storage import CrdStoredVersionCheck
from upgradecheck.checks.interface import CheckContext
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import ObjectRef, ObservedObject, Severity, Snapshot
from upgradecheck.versions import Minor


def crd(name: str, versions: list[dict[str, Any]], stored: list[str]) -> ObservedObject:
    body = {
        "spec": {"group": "example.com", "versions": versions},
        "status": {"storedVersions": stored},
    }
    return ObservedObject(
        ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, name), (), body
    )


def run(kb: KnowledgeBase, *objs: ObservedObject) -> list[Any]:
    snap = Snapshot(source="cluster", collected_at="x", objects=objs)
    ctx = CheckContext(snap, kb, Minor(1, 30), Minor(1, 29), (Minor(1, 30),))
    return list(CrdStoredVersionCheck().run(ctx))


def test_deprecated_unserved_and_missing_stored_versions(kb: KnowledgeBase) -> None:
    findings = run(
        kb,
        crd(
            "a.example.com",
            [
                {"name": "v1", "served": True, "storage": True},
                {"name": "v1beta1", "served": True, "deprecated": True},
            ],
            ["v1beta1", "v1"],
        ),
        crd(
            "b.example.com",
            [{"name": "v2", "served": True, "storage": True}, {"name": "v1", "served": False}],
            ["v1", "v2"],
        ),
        crd("c.example.com", [{"name": "v2", "served": True, "storage": True}], ["v1", "v2"]),
    )
    got = {(f.object.name, f.subject) for f in findings}
    assert got == {
        ("a.example.com", "example.com/v1beta1"),
        ("b.example.com", "example.com/v1"),
        ("c.example.com", "example.com/v1"),
    }
    assert all(f.severity is Severity.WARNING for f in findings)
    assert "no longer served" in next(f.message for f in findings if f.object.name[0] == "b")


def test_clean_crd_raises_nothing(kb: KnowledgeBase) -> None:
    assert (
        run(
            kb,
            crd(
                "ok.example.com",
                [
                    {"name": "v1", "served": True, "storage": True},
                    {"name": "v1beta1", "served": True},
                ],
                ["v1"],
            ),
        )
        == []
    )
