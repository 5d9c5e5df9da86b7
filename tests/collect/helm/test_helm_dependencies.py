"""Subcharts as helm renders them, without helm: the values a subchart sees and whether the
parent's values switch it off. The chart `subchart-gates` holds every sample at once and
is held to real helm by the fallback's family test; these pin each rule alone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from support.clients import helm_binary

from upgradecheck.collect.binaries import BuildOptions
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.helm.dependencies import Gate, gate, subchart_values
from upgradecheck.versions import parse_minor

CHART = Path(__file__).resolve().parents[2] / "fixtures" / "charts" / "subchart-gates"
OFF = "not rendered with the chart's values"


def _gate(entry: dict[str, object], parent: dict[str, object], own: dict[str, object] | None = None,
          tags: dict[str, object] | None = None) -> Gate | None:  # fmt: skip
    values = subchart_values(own or {}, parent, "sub")
    return gate(entry, "sub", parent, values, tags or {})


@pytest.mark.parametrize(
    ("entry", "parent", "own", "tags", "off"),
    [
        ({"condition": "sub.enabled"}, {"sub": {"enabled": False}}, {}, {}, True),
        ({"condition": "sub.enabled"}, {"sub": {"enabled": True}}, {"enabled": False}, {}, False),
        # The subchart's own default decides when the parent says nothing.
        ({"condition": "sub.enabled"}, {}, {"enabled": False}, {}, True),
        # Nothing decides: rendered.
        ({"condition": "sub.enabled"}, {}, {}, {}, False),
        # The first path holding a boolean decides; one holding a string is skipped.
        ({"condition": "sub.enabled,global.sub"}, {"sub": {"enabled": "no"},
                                                   "global": {"sub": False}}, {}, {}, True),
        # Only the whole condition is trimmed, as helm does: " sub.enabled" names nothing.
        ({"condition": "a.x, sub.enabled"}, {"sub": {"enabled": False}}, {}, {}, False),
        ({"condition": " sub.enabled "}, {"sub": {"enabled": False}}, {}, {}, True),
        ({"condition": "a.b,sub.enabled"}, {"a": {"b": True}, "sub": {"enabled": False}},
         {}, {}, False),
        # A path ending at a map holds no value.
        ({"condition": "sub"}, {"sub": {"enabled": False}}, {}, {}, False),
        # Tags: one true turns it on, all set to false turn it off, unset ones do not count.
        ({"tags": ["x", "y"]}, {}, {}, {"x": False, "y": True}, False),
        ({"tags": ["x", "y"]}, {}, {}, {"x": False}, True),
        ({"tags": ["x"]}, {}, {}, {"x": "false"}, False),
        # The condition decides over the tags, either way.
        ({"condition": "sub.on", "tags": ["x"]}, {"sub": {"on": True}}, {}, {"x": False}, False),
        ({"condition": "sub.on", "tags": ["x"]}, {"sub": {"on": False}}, {}, {"x": True}, True),
        # A condition that decides nothing leaves it to the tags.
        ({"condition": "sub.on", "tags": ["x"]}, {}, {}, {"x": False}, True),
    ],
)  # fmt: skip
def test_a_dependency_is_switched_as_helm_switches_it(
    entry: dict[str, object], parent: dict[str, object], own: dict[str, object],
    tags: dict[str, object], off: bool,
) -> None:  # fmt: skip
    switch = _gate(entry, parent, own, tags)
    assert switch is not None and switch.off is off


def test_a_dependency_without_condition_or_tags_has_no_switch() -> None:
    assert _gate({"name": "sub"}, {"sub": {"enabled": False}}) is None
    assert _gate({"condition": ",", "tags": "x"}, {}) is None  # nothing usable


def test_a_subchart_sees_the_parents_values_for_it_and_the_parents_globals() -> None:
    own = {"image": {"tag": "1", "pull": "Always"}, "global": {"a": 1, "b": 1}, "keep": True}
    parent = {"sub": {"image": {"tag": "2"}}, "global": {"b": 2}, "other": {"x": 1}}
    assert subchart_values(own, parent, "sub") == {
        "image": {"tag": "2", "pull": "Always"}, "global": {"a": 1, "b": 2}, "keep": True
    }
    # Values of a wrong shape for a subchart are not laid over its own.
    assert subchart_values(own, {"sub": "x", "global": []}, "sub") == own


def test_a_values_file_switching_a_subchart_on_is_followed(tmp_path: Path) -> None:
    on = tmp_path / "on.yaml"
    on.write_text("legacy:\n  enabled: true\ntags:\n  legacy: true\n")
    build = BuildOptions(target=parse_minor("1.33"), values=(str(on),))
    snapshot = scan_manifests([str(CHART)], build=build)
    psp = [o for o in snapshot.objects if o.ref.kind == "PodSecurityPolicy"]
    assert len(psp) == 1 and OFF not in psp[0].evidence[0].detail
    oldweb = [o for o in snapshot.objects if "dependency oldweb" in o.evidence[0].detail]
    assert oldweb and all(OFF not in o.evidence[0].detail for o in oldweb)
    # As helm renders with that file.
    rendered = subprocess.run(
        [str(helm_binary(3)), "template", "r", str(CHART), "--kube-version", "1.24.0",
         "--values", str(on)],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    kinds = {d["kind"] for d in yaml.safe_load_all(rendered) if isinstance(d, dict)}
    assert "PodSecurityPolicy" in kinds


def test_each_alias_is_read_with_its_own_values() -> None:
    snapshot = scan_manifests([str(CHART)], build=BuildOptions(target=parse_minor("1.33")))
    ingresses = sorted(
        (o.evidence[0].detail.split(";")[0], o.ref.api_version)
        for o in snapshot.objects if o.ref.kind == "Ingress"
    )  # fmt: skip
    assert ingresses == [
        ("branch: dependency frontend (condition frontend.enabled,web.enabled)",
         "networking.k8s.io/v1"),
        ("branch: dependency oldweb (tags legacy)", "extensions/v1beta1"),
    ]  # fmt: skip
