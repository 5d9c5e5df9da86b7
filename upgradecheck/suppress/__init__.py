"""Exceptions (`.upgradecheck.yaml`): findings a team has accepted, with a reason and an
expiry, kept in the report but out of the verdict and the exit code."""

from __future__ import annotations

from upgradecheck.suppress.apply import Applied, apply_exceptions
from upgradecheck.suppress.config import (
    CONFIG_SCHEMA,
    DEFAULT_CONFIG,
    ConfigError,
    ExceptionEntry,
    ExceptionsConfig,
    ObjectSelector,
    find_config,
    load_config,
    parse_config,
)

__all__ = [
    "CONFIG_SCHEMA",
    "DEFAULT_CONFIG",
    "Applied",
    "ConfigError",
    "ExceptionEntry",
    "ExceptionsConfig",
    "ObjectSelector",
    "apply_exceptions",
    "find_config",
    "load_config",
    "parse_config",
]
