"""Helpers the tests share: fixtures, builders of reports and clusters, golden-file checks,
schema validators and the CLI runner (imported as `support.NAME`; pytest puts `tests/` on the
path through `pythonpath` in pyproject.toml)."""
