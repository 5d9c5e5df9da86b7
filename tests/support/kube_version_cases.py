"""Chart kubeVersion constraints and what real helm binaries do with them, shared by the
evaluator's tests (no binaries) and the tests that run helm 3.17 and 4.1 against the fake API
server: one table, so the evaluator is held to what the binaries were seen to do."""

from __future__ import annotations

EKS = "v1.25.4-eks-abc"
"""An API server version with a managed platform's pre-release part."""
GKE = "v1.25.0-gke.100"
"""GKE's form: a dotted pre-release with a number."""
PLAIN = "v1.25.4"
"""No pre-release part: both rules agree, only the numbers matter."""

CASES: tuple[tuple[str, str, bool, bool], ...] = (
    # (chart kubeVersion, API server version, helm 3.17 accepts, helm 4.1 accepts)
    # -- the shapes charts are written in, on EKS
    (">=1.19.0 <1.30.0", EKS, False, False),
    (">=1.19.0-0 <1.30.0", EKS, False, True),
    (">=1.19.0-0 <1.30.0-0", EKS, True, True),
    (">=1.19.0-0", EKS, True, True),
    ("~1.25.0", EKS, False, False),
    ("^1.24.0", EKS, False, False),
    ("<1.25.0", EKS, False, False),
    (">=1.19.0", EKS, False, False),
    (">= 1.19.0-0, < 1.30.0", EKS, False, True),
    # -- `||`: each alternative is its own group
    (">=1.30.0-0 || >=1.19.0-0 <1.26.0", EKS, False, True),
    (">=1.26.0-0 || <1.20.0", EKS, False, False),
    # -- hyphen ranges are `>= A, <= B`
    ("1.19 - 1.30", EKS, False, False),
    ("1.19.0-0 - 1.30", EKS, False, True),
    # -- wildcards
    ("1.25.x", EKS, False, False),
    ("1.25.x-0", EKS, True, True),
    ("*", EKS, False, False),
    # -- `!=`: the older library lets a plain one through, the newer refuses it
    ("!=1.24.0", EKS, True, False),
    ("!=1.24.x", EKS, False, False),
    ("!=1.24.0 >=1.19.0-0", EKS, True, True),
    # -- partial versions and `-0` on `<=`, `>`, `~`, `^`
    ("<=1.25", EKS, False, False),
    ("<=1.25-0", EKS, True, True),
    (">1.24-0", EKS, True, True),
    ("~1.25-0", EKS, True, True),
    ("^1.24.0-0", EKS, True, True),
    ("<1.25.4-0", EKS, False, False),
    # -- GKE's dotted suffix, compared as a pre-release
    (">=1.19.0-0 <1.26.0", GKE, False, True),
    (">=1.25.0-gke.200", GKE, False, False),
    ("1.25.0-gke.100", GKE, True, True),
    # -- plain versions: the numbers alone
    ("~1.24.0", PLAIN, False, False),
    ("^1.24", PLAIN, True, True),
    ("<=1.25", PLAIN, True, True),
    (">1.25", PLAIN, False, False),
    (">1.24.9", PLAIN, True, True),
    ("1.25", PLAIN, True, True),
    ("!=1.25.x", PLAIN, False, False),
    ("1.19 - 1.24", PLAIN, False, False),
    (">=1.25.5 || <1.20", PLAIN, False, False),
    ("1.x", PLAIN, True, True),
)

ISSUE_TABLE: tuple[tuple[str, bool, bool], ...] = (
    # `helm template --kube-version v1.25.4-eks-abc`: (kubeVersion, helm 3.17, helm 4.1).
    # Helm 3.19+ strips the suffix from the flag's version before judging, so these rows are
    # not what `helm upgrade` against the cluster does (CASES are).
    (">=1.19.0 <1.30.0", False, True),
    (">=1.19.0-0 <1.30.0", False, True),
    (">=1.19.0-0 <1.30.0-0", True, True),
    (">=1.19.0-0", True, True),
    ("~1.25.0", False, True),
    ("^1.24.0", False, True),
    ("<1.25.0", False, False),
)
