"""Helm chart folders in a scan: rendered with `helm template` for the target version, each
object pointing at the template file and line it comes from; read by the template-aware
fallback (`chart_templates`) when there is no helm or helm fails.

`helm template` answers `.Capabilities` from its own defaults unless told otherwise, and
those defaults describe no particular server: `--kube-version` sets the version and
`--api-versions` adds what the target serves, in both forms charts test (`policy/v1` and
`policy/v1/PodDisruptionBudget`). What the target serves comes from the knowledge base (the
deprecated and removed APIs with their dates, and the stable APIs it lists as replacement
targets with the release that introduced each).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from upgradecheck.collect.binaries import (
    BuildOptions,
    Client,
    FolderOutput,
    Placement,
    Stream,
    run_client,
)
from upgradecheck.collect.chart_templates import TemplateFile, read_templates
from upgradecheck.collect.yaml_documents import Document, first_mapping, iter_yaml_documents
from upgradecheck.knowledge.model import ApiLifecycle, KnowledgeBase
from upgradecheck.model import CoverageNote
from upgradecheck.versions import Minor

CHART_FILE = "Chart.yaml"
"""The file that makes a folder a chart."""

RELEASE_NAME = "release-name"
"""The release name charts are rendered with (helm's own default name)."""

NAMESPACE = "default"
"""The namespace charts are rendered into."""

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
"""Most bytes read out of one packaged subchart (`charts/*.tgz`)."""

MAX_CHART_DEPTH = 4
"""How deep subcharts of subcharts are followed."""

_RENDERED_SUFFIXES = (".yaml", ".yml", ".tpl", ".json")
_TEMPLATE_SUFFIXES = (*_RENDERED_SUFFIXES, ".txt")
_CRD_SUFFIXES = (".yaml", ".yml", ".json")
_API_VERSION_LINE = re.compile(r"^apiVersion[ \t]*:.*$", re.M)

# GA kinds the knowledge base knows (as replacement targets) that no API server serves as a
# resource of its own: webhook payloads, the discovery document, subresource options and
# internal types. helm is not told about them, nor about `*List` kinds.
_NOT_RESOURCES = frozenset({
    ("admission.k8s.io/v1", "AdmissionReview"),
    ("apidiscovery.k8s.io/v2", "APIGroupDiscovery"),
    *(("v1", kind) for kind in (
        "NodeProxyOptions", "PodAttachOptions", "PodExecOptions", "PodLogOptions",
        "PodPortForwardOptions", "PodProxyOptions", "PodStatusResult", "RangeAllocation",
        "SerializedReference", "ServiceProxyOptions",
    )),
})  # fmt: skip


def ga_resources(kb: KnowledgeBase) -> dict[tuple[str, str], Minor]:
    """(apiVersion, kind) → first release, of every GA kind served as a resource. GA APIs are
    never removed, so a target serves those introduced at or before it."""
    return {
        key: since for key, since in kb.ga_introduced.items()
        if not key[1].endswith("List") and key not in _NOT_RESOURCES
    }


def served_kinds(kb: KnowledgeBase, target: Minor) -> set[tuple[str, str]]:
    """(apiVersion, kind) of every built-in kind a default API server of `target` serves."""
    ga = ga_resources(kb)
    kinds = {key for key, since in ga.items() if since <= target}
    known = set(ga)
    replaced_by: dict[tuple[str, str], list[ApiLifecycle]] = {}
    for entry in kb.apis:
        if entry.list_kind or not entry.resource:  # lists, webhook payloads, discovery
            continue
        known.add((entry.api_version, entry.kind))
        if entry.replacement:
            key = (entry.replacement, entry.replacement_kind or entry.kind)
            replaced_by.setdefault(key, []).append(entry)
        if not entry.enabled_by_default:
            continue
        if entry.introduced_in is not None and entry.introduced_in > target:
            continue
        if entry.removed_in is not None and entry.removed_in <= target:
            continue
        kinds.add((entry.api_version, entry.kind))
    # A replacement missing from both lists is served once an API it replaces is deprecated:
    # an API is deprecated only when its replacement is available.
    for key, entries in replaced_by.items():
        if key not in known and any(
            e.deprecated_in is not None and e.deprecated_in <= target for e in entries
        ):
            kinds.add(key)
    return kinds


def served_api_versions(kb: KnowledgeBase, target: Minor) -> tuple[str, ...]:
    """What `--api-versions` tells helm: each served group/version, and each served kind as
    `group/version/Kind`, the two forms `.Capabilities.APIVersions.Has` is asked in."""
    kinds = served_kinds(kb, target)
    return tuple(sorted({api for api, _ in kinds} | {f"{api}/{kind}" for api, kind in kinds}))


# ---- a chart's files, on disk or in a packaged subchart ----------------------------------


@dataclass(frozen=True)
class _Files:
    """The files of one chart folder: relative path → reader, and how each is displayed."""

    readers: dict[str, Callable[[], bytes]]
    """Relative POSIX path → a function returning its bytes."""
    display: Callable[[str], str]
    """Relative path → the name findings show."""
    on_disk: Callable[[str], str | None]
    """Relative path → its filesystem path (None inside an archive)."""

    def text(self, rel: str) -> str:
        return self.readers[rel]().decode("utf-8", "replace")

    def under(self, folder: str) -> Iterator[str]:
        prefix = folder.rstrip("/") + "/"
        yield from sorted(rel for rel in self.readers if rel.startswith(prefix))


def _disk_files(fs_dir: str, display_dir: str, limit: int) -> _Files:
    readers: dict[str, Callable[[], bytes]] = {}
    for here, dirs, names in os.walk(fs_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = os.path.join(here, name)
            rel = os.path.relpath(path, fs_dir).replace(os.sep, "/")
            readers[rel] = _file_reader(path, limit)

    def display(rel: str) -> str:
        return os.path.join(display_dir, *rel.split("/"))

    def on_disk(rel: str) -> str:
        return os.path.join(fs_dir, *rel.split("/"))

    return _Files(readers, display, on_disk)


def _file_reader(path: str, limit: int) -> Callable[[], bytes]:
    def read() -> bytes:
        with open(path, "rb") as handle:
            return handle.read(limit)

    return read


def _archive_files(data: bytes, display_name: str) -> tuple[str, _Files]:
    """The chart inside a packaged chart (`.tgz`): its top folder name and its files."""
    members: dict[str, bytes] = {}
    total = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        for member in archive:
            if not member.isfile():
                continue
            total += member.size
            if total > MAX_ARCHIVE_BYTES:
                raise tarfile.TarError(f"more than {MAX_ARCHIVE_BYTES // (1 << 20)} MiB inside")
            handle = archive.extractfile(member)
            if handle is not None:
                members[member.name.removeprefix("./")] = handle.read()
    tops = {name.split("/", 1)[0] for name in members if "/" in name}
    top = next(iter(tops)) if len(tops) == 1 else ""
    if not top:
        raise tarfile.TarError("not a packaged chart (no single top folder)")
    readers = {
        name[len(top) + 1 :]: _constant(blob) for name, blob in members.items()
        if name.startswith(top + "/")
    }
    return top, _Files(readers, lambda rel: f"{display_name}:{top}/{rel}", lambda rel: None)


def _constant(blob: bytes) -> Callable[[], bytes]:
    return lambda: blob


def _subfolder(files: _Files, sub: str) -> _Files:
    """The files of `charts/<sub>/`, as a chart of their own."""
    prefix = f"charts/{sub}/"
    return _Files(
        {rel[len(prefix) :]: reader for rel, reader in files.readers.items()
         if rel.startswith(prefix)},
        lambda rel: files.display(prefix + rel),
        lambda rel: files.on_disk(prefix + rel),
    )


@dataclass
class _Chart:
    """A chart and its subcharts, as files."""

    name: str
    """The chart's name (from Chart.yaml): the first part of helm's `# Source:` paths."""
    display: str
    """The folder as the scan names it."""
    fs_dir: str
    """The folder on disk."""
    library: bool = False
    """`type: library`: nothing to render."""
    templates: list[TemplateFile] = field(default_factory=list)
    """Template files of the chart and its subcharts (partials too, not rendering)."""
    by_source: dict[str, TemplateFile] = field(default_factory=dict)
    """helm's `# Source:` path → file (templates and CRDs, aliases included)."""
    crd_files: list[tuple[str, str]] = field(default_factory=list)
    """(display, filesystem path) of CRD files on disk, for the fallback."""
    crd_streams: list[tuple[str, str]] = field(default_factory=list)
    """(display, text) of CRD files inside packaged subcharts, for the fallback."""
    notes: list[CoverageNote] = field(default_factory=list)
    """Problems met reading the chart (bad Chart.yaml, unreadable subchart)."""
    values_notes: list[CoverageNote] = field(default_factory=list)
    """Problems of values files: helm reports them itself, the fallback must."""
    missing: list[str] = field(default_factory=list)
    """Dependencies named in Chart.yaml that are not in charts/."""


def _metadata(files: _Files, notes: list[CoverageNote]) -> dict[str, Any]:
    """Chart.yaml as a mapping; a broken one is an input error (helm refuses it too)."""
    where = files.display(CHART_FILE)
    if CHART_FILE not in files.readers:
        return {}
    try:
        text = files.text(CHART_FILE)
    except OSError as exc:
        notes.append(CoverageNote(where, f"{where}: cannot read: {exc.strerror or exc}", "error"))
        return {}
    for outcome in iter_yaml_documents(text):
        if isinstance(outcome, Document):
            if isinstance(outcome.data, dict):
                return outcome.data
            break
        notes.append(CoverageNote(where, f"{where}:{outcome.line}: {outcome.message}", "error"))
        return {}
    notes.append(CoverageNote(where, f"{where}: not a chart description (no mapping)", "error"))
    return {}


def _dependencies(files: _Files, meta: dict[str, Any]) -> list[dict[str, Any]]:
    deps = meta.get("dependencies")
    if not isinstance(deps, list) and "requirements.yaml" in files.readers:  # apiVersion v1
        try:
            for outcome in iter_yaml_documents(files.text("requirements.yaml")):
                if isinstance(outcome, Document) and isinstance(outcome.data, dict):
                    deps = outcome.data.get("dependencies")
        except OSError:
            deps = None
    return [d for d in deps if isinstance(d, dict)] if isinstance(deps, list) else []


def _read_values(text: str, where: str, notes: list[CoverageNote]) -> dict[str, Any]:
    """A values file as a mapping; a broken one is an input error."""
    return first_mapping(text, where, notes)


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Values `over` laid on `base`, maps merged key by key (as helm does)."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _chart_values(files: _Files, notes: list[CoverageNote]) -> dict[str, Any]:
    if "values.yaml" not in files.readers:
        return {}
    try:
        text = files.text("values.yaml")
    except OSError:
        return {}
    return _read_values(text, files.display("values.yaml"), notes)


def load_chart(
    fs_dir: str, display: str, limit: int, values_files: tuple[str, ...] = ()
) -> _Chart:
    """Read a chart folder: its Chart.yaml, values, templates, CRDs and subcharts (folders
    and .tgz). `values_files` (`--values`) are laid over the chart's own values."""
    files = _disk_files(fs_dir, display, limit)
    notes: list[CoverageNote] = []
    meta = _metadata(files, notes)
    name = meta.get("name")
    chart = _Chart(
        name=name if isinstance(name, str) and name else os.path.basename(os.path.abspath(fs_dir)),
        display=display,
        fs_dir=fs_dir,
        library=meta.get("type") == "library",
        notes=notes,
    )
    values = _chart_values(files, chart.values_notes)
    for path in values_files:
        try:
            with open(path, "rb") as handle:
                text = handle.read(limit).decode("utf-8", "replace")
        except OSError as exc:
            where = path
            chart.values_notes.append(
                CoverageNote(where, f"{where}: cannot read: {exc.strerror or exc}", "error")
            )
            continue
        values = _merged(values, _read_values(text, path, chart.values_notes))
    _add_chart(chart, files, meta, (chart.name,), chart.library, 0, values)
    return chart


def _add_chart(
    chart: _Chart,
    files: _Files,
    meta: dict[str, Any],
    prefixes: tuple[str, ...],
    library: bool,
    depth: int,
    values: dict[str, Any],
) -> None:
    """Add one chart's templates and CRDs under helm's path prefixes, then its subcharts."""
    for rel in files.under("templates"):
        base = rel.rsplit("/", 1)[-1]
        if not base.lower().endswith(_TEMPLATE_SUFFIXES) or base == "NOTES.txt":
            continue
        try:
            text = files.text(rel)
        except OSError as exc:
            where = files.display(rel)
            reason = f"{where}: cannot read: {exc.strerror or exc}"
            chart.notes.append(CoverageNote(where, reason, "error"))
            continue
        renders = not library and not base.startswith("_") and base.endswith(_RENDERED_SUFFIXES)
        template = TemplateFile(
            f"{prefixes[0]}/{rel}", files.display(rel), text, renders, values
        )
        chart.templates.append(template)
        for prefix in prefixes:
            chart.by_source[f"{prefix}/{rel}"] = template
    for rel in files.under("crds"):
        if not rel.lower().endswith(_CRD_SUFFIXES):
            continue
        path = files.on_disk(rel)
        if path is not None:
            chart.crd_files.append((files.display(rel), path))
            text = ""
            with contextlib.suppress(OSError):  # the plain read of the fallback reports it
                text = files.text(rel)
        else:
            text = files.text(rel)
            chart.crd_streams.append((files.display(rel), text))
        crd = TemplateFile(f"{prefixes[0]}/{rel}", files.display(rel), text, renders=False)
        for prefix in prefixes:
            chart.by_source[f"{prefix}/{rel}"] = crd
    _add_subcharts(chart, files, meta, prefixes, depth)


def _add_subcharts(
    chart: _Chart, files: _Files, meta: dict[str, Any], prefixes: tuple[str, ...], depth: int
) -> None:
    deps = _dependencies(files, meta)
    found: set[str] = set()
    subfolders = sorted({rel.split("/")[1] for rel in files.under("charts") if rel.count("/") >= 2})
    archives = [rel for rel in files.under("charts") if rel.count("/") == 1
                and rel.endswith((".tgz", ".tar.gz"))]
    for sub in subfolders:
        if f"charts/{sub}/{CHART_FILE}" not in files.readers:
            continue
        found.add(_add_subchart(chart, _subfolder(files, sub), deps, prefixes, depth, sub))
    for rel in archives:
        where = files.display(rel)
        try:
            top, sub_files = _archive_files(files.readers[rel](), where)
        except (OSError, tarfile.TarError, EOFError, ValueError) as exc:
            chart.notes.append(CoverageNote(where, f"{where}: cannot read packaged chart: {exc}",
                                            "gap"))
            continue
        found.add(_add_subchart(chart, sub_files, deps, prefixes, depth, top))
    for dep in deps:
        name = dep.get("name")
        if isinstance(name, str) and name not in found and depth == 0:
            chart.missing.append(name)


def _add_subchart(
    chart: _Chart,
    files: _Files,
    deps: list[dict[str, Any]],
    parents: tuple[str, ...],
    depth: int,
    folder: str,
) -> str:
    meta = _metadata(files, chart.notes)
    name = meta.get("name") if isinstance(meta.get("name"), str) else folder
    assert isinstance(name, str)
    if depth >= MAX_CHART_DEPTH:
        return name
    aliases = [
        d["alias"] for d in deps if d.get("name") == name and isinstance(d.get("alias"), str)
    ]
    names = tuple(aliases) or (name,)
    prefixes = tuple(f"{parent}/charts/{n}" for parent in parents for n in names)
    values = _chart_values(files, chart.values_notes)
    _add_chart(chart, files, meta, prefixes, meta.get("type") == "library", depth + 1, values)
    return name


# ---- rendering ---------------------------------------------------------------------------


def read_chart(fs_dir: str, display: str, options: BuildOptions, limit: int) -> FolderOutput:
    """Render a chart folder with helm (or read its templates when that cannot be done)."""
    chart = load_chart(fs_dir, display, limit, options.values)
    out = FolderOutput(notes=list(chart.notes))
    if chart.library:
        out.notes.append(CoverageNote(
            display, f"{display}: library chart (type: library): renders nothing by itself",
            "skipped",
        ))
        return out
    helm = options.helm.get()
    if helm is not None:
        result = run_client(_helm_argv(helm, fs_dir, options), options.timeout)
        if result.ok:
            detail = f"rendered by helm template {helm.version} for Kubernetes {options.target}"
            placer = _HelmPlacer(chart, detail, options)
            out.streams.append(Stream(f"{display} (helm template)", result.stdout, placer))
            out.stats["charts_rendered"] = 1
            out.stats["files"] = sum(1 for t in chart.templates if t.renders)
            return out
        out.notes.append(CoverageNote(
            display, f"{display}: helm template {helm.version} failed: {result.error}", "error"
        ))
        reason = f"helm template {helm.version} failed"
    else:
        reason = options.helm.missing
    _fallback(chart, out, reason, options)
    return out


def _helm_argv(helm: Client, fs_dir: str, options: BuildOptions) -> list[str]:
    argv = [
        helm.path, "template", RELEASE_NAME, os.path.abspath(fs_dir),
        "--namespace", NAMESPACE,
        "--kube-version", f"{options.target}.0",
        "--include-crds",
    ]  # fmt: skip
    for values in options.values:
        argv += ["--values", os.path.abspath(values)]
    for api in options.api_versions:
        argv += ["--api-versions", api]
    return argv


def _fallback(chart: _Chart, out: FolderOutput, reason: str, options: BuildOptions) -> None:
    out.notes.extend(chart.values_notes)
    reading = read_templates(chart.templates)
    out.objects.extend(reading.objects)
    out.notes.extend(reading.notes)
    out.files.extend(chart.crd_files)
    for where, text in chart.crd_streams:
        out.streams.append(Stream(where, text, _plain_placer(where)))
    for name in chart.missing:
        out.notes.append(CoverageNote(
            chart.display,
            f"{chart.display}: dependency {name} is not in charts/ (run helm dependency "
            "build): its templates are not read",
            "gap",
        ))
    out.notes.append(CoverageNote(
        chart.display,
        f"chart {chart.display} not rendered: {reason}; apiVersions read from its templates, "
        "both branches of conditionals",
        "gap",
    ))
    out.stats["charts_not_rendered"] = 1
    out.stats["files"] = reading.files


def _plain_placer(display: str) -> Callable[[str | None, Any, int], Placement]:
    def place(source: str | None, data: Any, line: int) -> Placement:
        return Placement(f"{display}:{line}", "", data)

    return place


class _HelmPlacer:
    """Maps each rendered document to its template file and the line of its apiVersion."""

    def __init__(self, chart: _Chart, detail: str, options: BuildOptions) -> None:
        self.chart = chart
        self.detail = detail
        self.target = options.target
        self.served = set(options.api_versions)
        self.seen: dict[str, int] = {}
        self.seen_version: dict[tuple[str, str], int] = {}

    def __call__(self, source: str | None, data: Any, line: int) -> Placement:
        api = data.get("apiVersion") if isinstance(data, dict) else None
        api = api if isinstance(api, str) else ""
        template = self.chart.by_source.get(source) if source else None
        if template is None:
            where = f"{self.chart.display} (helm template):{line}"
            missing = f"; template {source} not found in the chart folder" if source else ""
            return Placement(where, self.detail + missing, data)
        nth = self.seen.get(template.helm_path, 0)
        self.seen[template.helm_path] = nth + 1
        same = self.seen_version.get((template.helm_path, api), 0)
        self.seen_version[(template.helm_path, api)] = same + 1
        at = template_line(template.text, nth, same, api)
        return Placement(f"{template.display}:{at}", self.detail + self._asked(api), data)

    def _asked(self, api: str) -> str:
        """A note when the chart asked helm whether an API the target no longer serves is
        there: helm template's built-in list says yes for old group/versions."""
        if not api or api in self.served:
            return ""
        asked = re.compile(r'APIVersions\.Has\s+"' + re.escape(api) + '"')
        if any(asked.search(t.text) for t in self.chart.templates):
            return (
                f"; the chart asks .Capabilities.APIVersions.Has \"{api}\", which helm template "
                f"answers from its built-in list (a Kubernetes {self.target} server does not "
                "serve it)"
            )
        return ""


def template_line(text: str, nth: int, same: int, api_version: str) -> int:
    """The line of a template where the nth document it rendered has its apiVersion.

    Best effort: the column-0 `apiVersion:` lines naming that version (the `same`-th of
    them, for the `same`-th document in that version); else the nth `apiVersion:` line
    (a computed version); else the first line mentioning apiVersion; else 1.
    """
    lines = [(text.count("\n", 0, m.start()) + 1, m.group()) for m in
             _API_VERSION_LINE.finditer(text)]
    if api_version:
        token = re.compile(r"(?<![\w./-])" + re.escape(api_version) + r"(?![\w./-])")
        naming = [number for number, line in lines if token.search(line)]
        if naming:
            return naming[min(same, len(naming) - 1)]
    if lines:
        return lines[min(nth, len(lines) - 1)][0]
    found = text.find("apiVersion")
    return text.count("\n", 0, found) + 1 if found >= 0 else 1
