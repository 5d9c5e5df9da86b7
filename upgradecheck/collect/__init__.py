"""Sources: turn files, clusters and local clients into a Snapshot."""
