"""upgradecheck: what breaks when a Kubernetes cluster is upgraded, and the plan to get there."""

__version__ = "0.1.0"

HOMEPAGE = "https://github.com/upgradecheck/upgradecheck"
"""Where the project is published: reports that name their tool (SARIF) link here, and the
README's CI snippets use the GitHub Action at this address."""
