"""The collect layer's exceptions: the CLI turns each into one line and an exit code."""


class SourceError(Exception):
    """A source could not produce a snapshot at all (bad input: exit code 2)."""


class ClusterUnreachable(SourceError):
    """The cluster could not be reached or refused the credentials (exit code 3)."""


class ManifestError(SourceError):
    """A path given to scan does not exist or cannot be read (bad input: exit code 2)."""
