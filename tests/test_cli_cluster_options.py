"""The commands that collect a cluster take one option set, read into one CollectOptions."""

from __future__ import annotations

import pytest
import typer
from typer.main import get_command

from upgradecheck.cli import collect_cmd, plan_cmd
from upgradecheck.cli.collect_opts import CLUSTER_OPTIONS, cluster_command
from upgradecheck.collect.cluster.collector import CollectOptions
from upgradecheck.collect.cluster.scope import Scope

CLUSTER_FLAGS = [
    "--kubeconfig", "--context", "--concurrency", "--request-timeout", "--kubectl", "--helm",
    "--namespace", "--exclude-namespace", "--selector", "--max-response-size",
]  # fmt: skip


def _flags(function: object) -> list[str]:
    app = typer.Typer()
    app.command()(function)
    return [p.opts[0] for p in get_command(app).params if p.opts[0].startswith("--")]


@pytest.mark.parametrize("command", [collect_cmd.collect, plan_cmd.plan])
def test_every_cluster_command_takes_the_whole_set_in_one_order(command: object) -> None:
    flags = _flags(command)
    shown = [f for f in flags if f in CLUSTER_FLAGS]
    assert shown == CLUSTER_FLAGS
    start = flags.index(CLUSTER_FLAGS[0])
    assert flags[start : start + len(CLUSTER_FLAGS)] == CLUSTER_FLAGS
    assert len(CLUSTER_OPTIONS) == len(CLUSTER_FLAGS)


def test_the_options_reach_the_command_read() -> None:
    received: list[CollectOptions] = []

    @cluster_command
    def probe(name: str, cluster: CollectOptions, verbose: bool = False) -> None:
        received.append(cluster)
        assert (name, verbose) == ("x", True)

    app = typer.Typer()
    app.command()(probe)
    get_command(app).main(
        ["x", "--verbose", "--context", "prod", "-n", "a", "-n", "b", "--exclude-namespace",
         "c", "-l", "team=shop", "--concurrency", "3", "--request-timeout", "7",
         "--max-response-size", "2", "--helm", "/opt/helm"],
        standalone_mode=False,
    )  # fmt: skip
    (options,) = received
    assert options.context == "prod" and options.kubeconfig is None
    assert options.scope == Scope(("a", "b"), ("c",), "team=shop")
    assert options.transport.concurrency == 3 and options.transport.timeout == 7
    assert options.transport.max_body == 2 * 1024 * 1024
    assert options.helm == ("/opt/helm",) and options.kubectl == ()
