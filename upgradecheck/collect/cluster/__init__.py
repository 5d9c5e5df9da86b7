"""The live source: a cluster, read through the official kubernetes client (GET only)."""
