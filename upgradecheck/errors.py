"""Each layer's exception base and the exit code it means: read by the CLI, which turns one
into a line and its code, and by the fleet, which turns one into a member not assessed."""

from __future__ import annotations

from upgradecheck.exit_codes import ExitCode


def layer_errors() -> tuple[tuple[type[BaseException], ExitCode], ...]:
    """Each layer's exception base with its exit code; the first row whose class an
    exception is an instance of gives its code (a subclass before its base).

    The layers are imported here, when an error is being classified, not when the CLI
    starts: a command does not import compare or the snapshot codec to be ready for their
    errors."""
    from upgradecheck.assess import AssessError
    from upgradecheck.collect.errors import ClusterUnreachable, SourceError
    from upgradecheck.compare import CompareError
    from upgradecheck.knowledge import KnowledgeError
    from upgradecheck.publish.interface import PublishError, PublishUnreachable
    from upgradecheck.render.interface import RenderError
    from upgradecheck.snapshot_io import SnapshotError
    from upgradecheck.suppress import ConfigError
    from upgradecheck.versions import VersionError

    return (
        (ClusterUnreachable, ExitCode.CLUSTER_UNREACHABLE),
        (SourceError, ExitCode.BAD_INPUT),
        (SnapshotError, ExitCode.BAD_INPUT),
        (VersionError, ExitCode.BAD_INPUT),
        (AssessError, ExitCode.BAD_INPUT),
        (KnowledgeError, ExitCode.BAD_INPUT),
        (RenderError, ExitCode.BAD_INPUT),
        (ConfigError, ExitCode.BAD_INPUT),
        (CompareError, ExitCode.BAD_INPUT),
        (PublishUnreachable, ExitCode.CLUSTER_UNREACHABLE),
        (PublishError, ExitCode.NOT_PUBLISHED),
    )


def exit_code_for(exc: BaseException) -> ExitCode | None:
    """The exit code a layer's error means; None for anything else (a bug)."""
    return next((code for cls, code in layer_errors() if isinstance(exc, cls)), None)
