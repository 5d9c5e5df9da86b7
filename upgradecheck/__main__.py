"""Entry point for `python -m upgradecheck`."""

from upgradecheck.cli import main

main()
