"""The user's own data files (`--data`, `data:` in .upgradecheck.yaml): an in-house CRD
add-on, a correction of a bundled entry, layering, strict validation naming the file and the
entry, and findings and the knowledge version marked as the user's."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from support.cli_runner import run_cli

from upgradecheck.assess import assess
from upgradecheck.knowledge import KnowledgeError, load_knowledge_base
from upgradecheck.model import Evidence, EvidenceSource, ObjectRef, ObservedObject, Snapshot

INHOUSE = """\
schema: upgradecheck.kb.user/v1
addons:
  - name: widgets-operator
    homepage: https://platform.example.com/widgets
    apis:
      - group: widgets.example.com
        version: v1beta1
        kinds: [Widget]
        deprecated_in: "2.0"
        removed_in: "3.0"
        replacement: widgets.example.com/v1
        note: "Widgets v1 renames spec.size to spec.replicas."
        source: https://platform.example.com/widgets/changelog
"""

CORRECTION = """\
schema: upgradecheck.kb.user/v1
addons:
  - name: cert-manager
    homepage: https://cert-manager.io/
    apis:
      - group: cert-manager.io
        version: v1alpha2
        kinds: []
        deprecated_in: "1.3"
        removed_in: "1.7"
        replacement: cert-manager.io/v1
        note: "Our fork served v1alpha2 one release longer."
        source: https://wiki.example.com/cert-manager-fork
apis:
  - group: policy
    version: v1beta1
    kind: PodDisruptionBudget
    note: "Runbook: https://wiki.example.com/pdb-v1"
    source: https://wiki.example.com/pdb-v1
removals:
  - id: dockershim
    title: Dockershim removed (our nodes moved in 2022)
    kind: removal
    deprecated_in: "1.20"
    breaks_in: "1.24"
    what_breaks: Nodes that run Docker Engine stop joining.
    remediation: Follow https://wiki.example.com/containerd.
    detect:
      - type: node-runtime
        params: {pattern: "^docker://"}
    source: https://wiki.example.com/containerd
    severity: blocker
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refused(*files: Path) -> str:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge_base(user_data=files)
    return str(caught.value)


def objects(*refs: ObjectRef) -> Snapshot:
    return Snapshot(
        source="manifests",
        collected_at="2026-01-01T00:00:00Z",
        objects=tuple(
            ObservedObject(r, (Evidence(EvidenceSource.FILE, "m.yaml:1", r.api_version),))
            for r in refs
        ),
    )


def test_an_inhouse_addon_raises_findings_marked_as_the_users(tmp_path: Path) -> None:
    path = write(tmp_path, "inhouse.yaml", INHOUSE)
    kb = load_knowledge_base(user_data=[path])
    bundled = load_knowledge_base()
    assert kb.addon_apis[:-1] == bundled.addon_apis  # added, nothing else touched
    widget = ObjectRef("widgets.example.com/v1beta1", "Widget", "shop", "w")
    [finding] = assess(objects(widget), kb, target="1.33").findings
    assert (finding.rule, finding.data_source) == ("addon-api-removed", str(path))
    assert "spec.replicas" in finding.remediation
    assert kb.version.startswith(bundled.version + "+user-") and kb.user_data == (str(path),)
    # Without the file, the object is unknown.
    assert not assess(objects(widget), bundled, target="1.33").findings


def test_the_example_file_validates() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "kb-inhouse.yaml"
    kb = load_knowledge_base(user_data=[example])
    assert kb.addon_api("widgets.example.com/v1beta1", "WidgetPool") is not None


def test_a_correction_overrides_bundled_entries_by_key(tmp_path: Path) -> None:
    kb = load_knowledge_base(user_data=[write(tmp_path, "fix.yaml", CORRECTION)])
    bundled = load_knowledge_base()
    # Add-on API: the user's entry replaces every bundled entry of its group/version whose
    # kinds overlap (here: all of them, `kinds: []`).
    entry = kb.addon_api("cert-manager.io/v1alpha2", "Issuer")
    assert entry is not None and entry.removed_in == "1.7"
    assert entry.origin == str(tmp_path / "fix.yaml")
    assert len(kb.addon_apis) == len(bundled.addon_apis)
    # Built-in API: the fields given replace the bundled ones, the rest stay.
    pdb, original = kb.api("policy/v1beta1", "PodDisruptionBudget"), bundled.api(
        "policy/v1beta1", "PodDisruptionBudget"
    )
    assert pdb is not None and original is not None
    assert pdb.note.startswith("Runbook") and pdb.removed_in == original.removed_in
    assert pdb.source == "https://wiki.example.com/pdb-v1" and original.origin == ""
    # Removal: replaced by id, in place.
    ids = [r.id for r in kb.removals]
    assert ids == [r.id for r in bundled.removals]
    assert kb.removals[ids.index("dockershim")].title.endswith("(our nodes moved in 2022)")


def test_later_files_override_earlier_ones(tmp_path: Path) -> None:
    first = write(tmp_path, "org.yaml", INHOUSE)
    second = write(
        tmp_path, "team.yaml", INHOUSE.replace('removed_in: "3.0"', 'removed_in: "4.0"')
    )
    kb = load_knowledge_base(user_data=[first, second])
    entry = kb.addon_api("widgets.example.com/v1beta1", "Widget")
    assert entry is not None and (entry.removed_in, entry.origin) == ("4.0", str(second))
    assert [a.group for a in kb.addon_apis].count("widgets.example.com") == 1


def test_the_same_data_gives_the_same_version_wherever_it_is(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    one = load_knowledge_base(user_data=[write(tmp_path, "inhouse.yaml", INHOUSE)])
    two = load_knowledge_base(user_data=[write(tmp_path / "a", "other.yaml", INHOUSE)])
    assert one.version == two.version


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            INHOUSE.replace('removed_in: "3.0"', 'removed_in: "3.x"'),
            "{f}: addons[0].apis[0] (widgets.example.com/v1beta1): removed_in '3.x' is not a "
            "version",
        ),
        (
            INHOUSE.replace("        source: https://platform", "        sources: https://platform"),
            "{f}: addons[0].apis[0] (widgets.example.com/v1beta1): unknown key 'sources'",
        ),
        (
            INHOUSE.replace("https://platform.example.com/widgets/changelog", "wiki page"),
            "{f}: addons[0].apis[0] (widgets.example.com/v1beta1): source 'wiki page' is not "
            "an https:// URL",
        ),
        (
            INHOUSE.replace("schema: upgradecheck.kb.user/v1", "schema: upgradecheck.kb.addons/v1"),
            "{f}: top level: schema must be 'upgradecheck.kb.user/v1', not "
            "'upgradecheck.kb.addons/v1'",
        ),
        (
            INHOUSE + "skew: []\n",
            "{f}: top level: unknown key 'skew'",
        ),
        ("schema: upgradecheck.kb.user/v1\naddons: []\n", "{f}: top level: holds no entries"),
        (
            INHOUSE.replace("    homepage:", "    name: again\n    homepage:"),
            "{f}: top level: not valid YAML: ",  # a duplicate key
        ),
        (
            "schema: upgradecheck.kb.user/v1\napis:\n  - group: example.com\n    version: v1\n"
            "    kind: Widget\n    source: https://example.com/\n",
            "{f}: apis[0] (example.com/v1 Widget): missing required key",
        ),
        (
            "schema: upgradecheck.kb.user/v1\napis:\n  - group: policy\n    version: v1beta1\n"
            "    kind: PodDisruptionBudget\n    replacement: {api_version: policy/v9, kind: "
            "PodDisruptionBudget}\n    source: https://example.com/\n",
            "{f}: apis[0] (policy/v1beta1 PodDisruptionBudget): replacement policy/v9 "
            "PodDisruptionBudget points at no known API",
        ),
    ],
)
def test_user_data_is_validated_like_the_bundled_data(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "mine.yaml", text)
    assert refused(path).startswith(message.format(f=path))


def test_overlapping_entries_in_one_file_are_refused(tmp_path: Path) -> None:
    twice = INHOUSE + "\n".join(
        line.replace("widgets-operator", "widgets-copy")
        for line in INHOUSE.splitlines()[2:]
    ) + "\n"
    message = refused(write(tmp_path, "mine.yaml", twice))
    assert "addons[1].apis[0] (widgets.example.com/v1beta1): widgets.example.com/v1beta1 " \
        "overlaps the entry at addons[0].apis[0]" in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert refused(tmp_path / "absent.yaml").startswith(f"{tmp_path / 'absent.yaml'}: ")


def test_the_cli_takes_data_from_the_flag_and_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "conf").mkdir()
    write(tmp_path / "conf", "inhouse.yaml", INHOUSE)
    config = write(tmp_path / "conf", ".upgradecheck.yaml", "data: inhouse.yaml\n")
    manifest = write(
        tmp_path, "m.yaml", "apiVersion: widgets.example.com/v1beta1\nkind: Widget\n"
        "metadata: {name: w, namespace: shop}\n",
    )  # fmt: skip
    scan = ("scan", str(manifest), "--target", "1.33", "-f", "json", "--fail-on", "none")
    code, out, err = run_cli(monkeypatch, capsys, *scan, "--config", str(config))
    assert code == 0, err
    report = json.loads(out)
    [finding] = report["findings"]
    assert finding["data_source"] == str(tmp_path / "conf" / "inhouse.yaml")
    assert "+user-" in report["knowledge_version"]
    # --data on top of the config's data: the later file wins.
    team = write(tmp_path, "team.yaml", INHOUSE.replace('removed_in: "3.0"', 'removed_in: "4.0"'))
    code, out, _ = run_cli(
        monkeypatch, capsys, *scan, "--config", str(config), "--data", str(team)
    )
    [finding] = json.loads(out)["findings"]
    assert finding["data_source"] == str(team) and "4.0" in finding["message"]
    # A broken data file is bad input: exit 2, one line naming the file and entry.
    broken = write(tmp_path, "broken.yaml", INHOUSE.replace('"3.0"', '"3.x"'))
    code, _, err = run_cli(monkeypatch, capsys, *scan, "--data", str(broken))
    assert code == 2
    assert f"{broken}: addons[0].apis[0] (widgets.example.com/v1beta1)" in err


def test_kb_listings_show_the_users_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "inhouse.yaml", INHOUSE)
    code, out, _ = run_cli(
        monkeypatch, capsys, "kb", "addons", "--addon", "widgets-operator", "--json",
        "--data", str(path),
    )  # fmt: skip
    assert code == 0
    [row] = json.loads(out)
    assert row["api_version"] == "widgets.example.com/v1beta1"
