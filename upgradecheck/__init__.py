"""upgradecheck: what breaks when a Kubernetes cluster is upgraded, and the plan to get there."""

__version__ = "0.1.0"
