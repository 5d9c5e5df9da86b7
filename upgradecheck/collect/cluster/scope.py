"""Which namespaces and labels a collection covers (`--namespace`, `--exclude-namespace`,
`--selector`). Cluster-scoped objects, nodes and kube-system's ConfigMaps (kube-proxy and
CoreDNS configuration) are always collected."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecheck.model import CoverageNote


@dataclass(frozen=True)
class Scope:
    """The part of the cluster to collect."""

    namespaces: tuple[str, ...] = ()
    """Only these namespaces (empty: every namespace)."""
    exclude_namespaces: tuple[str, ...] = ()
    """Never these namespaces."""
    selector: str | None = None
    """A label selector for namespaced objects."""

    def namespace_paths(self, base: str, resource: str) -> list[str]:
        """The list paths of a namespaced resource under `base` (`/apis/G/V`)."""
        wanted = [ns for ns in self.namespaces if ns not in self.exclude_namespaces]
        if not self.namespaces:
            return [f"{base}/{resource}"]
        return [f"{base}/namespaces/{ns}/{resource}" for ns in wanted]

    def field_selector(self, extra: str | None = None) -> str | None:
        """The field selector for namespaced lists: `extra` plus the excluded namespaces."""
        terms = [extra] if extra else []
        if not self.namespaces:  # a per-namespace path already leaves the others out
            terms += [f"metadata.namespace!={ns}" for ns in self.exclude_namespaces]
        return ",".join(terms) or None

    def note(self) -> CoverageNote | None:
        """What the report must say about the scope, or None for the whole cluster."""
        parts = []
        if self.namespaces:
            parts.append(f"only namespaces {', '.join(self.namespaces)}")
        if self.exclude_namespaces:
            parts.append(f"namespaces {', '.join(self.exclude_namespaces)} excluded")
        if self.selector:
            parts.append(f"only objects labelled {self.selector}")
        if not parts:
            return None
        return CoverageNote(
            "scope",
            f"collected {'; '.join(parts)}; cluster-scoped objects, nodes and kube-system's "
            "configuration in full",
            "note",
        )
