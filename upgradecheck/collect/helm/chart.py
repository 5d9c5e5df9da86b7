"""A chart folder as files: Chart.yaml, values, templates, CRDs and subcharts (folders and
packaged `.tgz`), each template keyed by the path helm names it by in `# Source:` lines.

Both readers of a chart start here: `helm template`'s output is mapped back to these files,
and the fallback reads their text.
"""

from __future__ import annotations

import contextlib
import io
import os
import tarfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from upgradecheck.collect.contain import Listing, Tree, list_folder, read_regular
from upgradecheck.collect.folder_files import CHART_FILE
from upgradecheck.collect.helm.dependencies import Gate, gate, merged_values, subchart_values
from upgradecheck.collect.yaml_documents import Document, first_mapping, iter_yaml_documents
from upgradecheck.model import CoverageNote

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
"""Most bytes read out of the packaged subcharts (`charts/*.tgz`) of one chart, together:
twenty small archives each unpacking to gigabytes cost no more than one."""

MAX_ARCHIVE_ENTRIES = 20_000
"""Most entries read out of the packaged subcharts of one chart, together: a megabyte of
compressed headers can name hundreds of thousands of empty files."""

MAX_CHART_DEPTH = 4
"""How deep subcharts of subcharts are followed."""

_RENDERED_SUFFIXES = (".yaml", ".yml", ".tpl", ".json")
_TEMPLATE_SUFFIXES = (*_RENDERED_SUFFIXES, ".txt")
_CRD_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class TemplateFile:
    """One file of a chart's `templates/` (or a subchart's), as text."""

    helm_path: str
    """The path helm gives it in `# Source:` lines: `mychart/templates/pdb.yaml`."""
    display: str
    """Where findings point: the path as the scan names it."""
    text: str
    """Its content."""
    renders: bool = True
    """False for partials (`_helpers.tpl`) and library charts: only their defines count."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """The values of its chart (`values.yaml`, with `--values` over it; a subchart's as its
    parent's values make them), for `.Values.x`."""
    gates: tuple[Gate, ...] = ()
    """The switches of the dependencies on the way to its chart, the outermost first."""


@dataclass
class Chart:
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
    archive_bytes: int = 0
    """Bytes unpacked from its packaged subcharts so far (see MAX_ARCHIVE_BYTES)."""
    archive_entries: int = 0
    """Entries met in its packaged subcharts so far (see MAX_ARCHIVE_ENTRIES)."""

    @property
    def archives_over_budget(self) -> bool:
        """Its packaged subcharts have unpacked more than may be."""
        return (
            self.archive_bytes > MAX_ARCHIVE_BYTES or self.archive_entries > MAX_ARCHIVE_ENTRIES
        )


def load_chart(
    fs_dir: str,
    display: str,
    limit: int,
    values_files: tuple[str, ...] = (),
    listing: Listing | None = None,
) -> Chart:
    """Read a chart folder: its Chart.yaml, values, templates, CRDs and subcharts (folders
    and .tgz). `values_files` (`--values`) are laid over the chart's own values. Only the
    files of `listing` (`contain.list_folder`: regular files inside the scanned tree) are
    read; without one, the folder is its own tree."""
    if listing is None:
        listing = list_folder(fs_dir, Tree.of(fs_dir))
    files = _disk_files(listing, display, limit)
    notes: list[CoverageNote] = []
    meta = _metadata(files, notes)
    name = meta.get("name")
    chart = Chart(
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
            chart.values_notes.append(_unreadable(path, exc))
            continue
        values = merged_values(values, first_mapping(text, path, chart.values_notes))
    tags = values.get("tags")
    top = _Instance(prefixes=(chart.name,), values=values, gates=(),
                    tags=tags if isinstance(tags, dict) else {})  # fmt: skip
    _add_chart(chart, files, meta, chart.library, 0, top)
    return chart


def _unreadable(where: str, exc: OSError) -> CoverageNote:
    return CoverageNote(where, f"{where}: cannot read: {exc.strerror or exc}", "error")


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


def _disk_files(listing: Listing, display_dir: str, limit: int) -> _Files:
    """The chart's files as listed, hidden ones (`.helmignore`, `.git/`) left out."""
    readers: dict[str, Callable[[], bytes]] = {}
    for rel, real in listing.files.items():
        if not any(part.startswith(".") for part in rel.split("/")):
            readers[rel] = _file_reader(real, limit)

    def display(rel: str) -> str:
        return os.path.join(display_dir, *rel.split("/"))

    def on_disk(rel: str) -> str | None:
        return listing.files.get(rel)

    return _Files(readers, display, on_disk)


def _file_reader(path: str, limit: int) -> Callable[[], bytes]:
    def read() -> bytes:
        return read_regular(path, limit)

    return read


def _archive_files(data: bytes, display_name: str, chart: Chart) -> tuple[str, _Files]:
    """The chart inside a packaged chart (`.tgz`): its top folder name and its files. What
    it unpacks counts against the chart's MAX_ARCHIVE_BYTES (each member's declared size:
    a member skipped is still unpacked to reach the next) and MAX_ARCHIVE_ENTRIES."""
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        for member in archive:
            chart.archive_entries += 1
            if member.isfile():
                chart.archive_bytes += member.size
            if chart.archives_over_budget:
                raise _OverBudget(_over_budget())
            if not member.isfile():
                continue
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


class _OverBudget(tarfile.TarError):
    """The chart's packaged subcharts unpack to more than they may."""


def _over_budget() -> str:
    return (
        f"not read: the packaged subcharts hold more than {MAX_ARCHIVE_BYTES // (1 << 20)} MiB "
        f"or {MAX_ARCHIVE_ENTRIES:,} entries together"
    )


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


# ---- Chart.yaml, dependencies and values -------------------------------------------------


def _metadata(files: _Files, notes: list[CoverageNote]) -> dict[str, Any]:
    """Chart.yaml as a mapping; a broken one is an input error (helm refuses it too)."""
    where = files.display(CHART_FILE)
    if CHART_FILE not in files.readers:
        return {}
    try:
        text = files.text(CHART_FILE)
    except OSError as exc:
        notes.append(_unreadable(where, exc))
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


def _chart_values(files: _Files, notes: list[CoverageNote]) -> dict[str, Any]:
    if "values.yaml" not in files.readers:
        return {}
    try:
        text = files.text("values.yaml")
    except OSError:
        return {}
    return first_mapping(text, files.display("values.yaml"), notes)


# ---- templates, CRDs and subcharts -------------------------------------------------------


@dataclass(frozen=True)
class _Instance:
    """One chart as helm renders it: a subchart listed under two aliases is two."""

    prefixes: tuple[str, ...]
    """helm's path prefixes for its files (one per instance of each chart above it)."""
    values: dict[str, Any]
    gates: tuple[Gate, ...]
    tags: Mapping[str, Any]
    """The top chart's `tags`, which decide dependencies at every depth."""


def _add_chart(
    chart: Chart, files: _Files, meta: dict[str, Any], library: bool, depth: int, at: _Instance
) -> None:
    """Add one chart's templates and CRDs under helm's path prefixes, then its subcharts."""
    prefixes = at.prefixes
    for rel in files.under("templates"):
        base = rel.rsplit("/", 1)[-1]
        if not base.lower().endswith(_TEMPLATE_SUFFIXES) or base == "NOTES.txt":
            continue
        try:
            text = files.text(rel)
        except OSError as exc:
            chart.notes.append(_unreadable(files.display(rel), exc))
            continue
        renders = not library and not base.startswith("_") and base.endswith(_RENDERED_SUFFIXES)
        template = TemplateFile(
            f"{prefixes[0]}/{rel}", files.display(rel), text, renders, at.values, at.gates
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
    _add_subcharts(chart, files, meta, depth, at)


def _add_subcharts(
    chart: Chart, files: _Files, meta: dict[str, Any], depth: int, at: _Instance
) -> None:
    deps = _dependencies(files, meta)
    found: set[str] = set()
    subfolders = sorted({rel.split("/")[1] for rel in files.under("charts") if rel.count("/") >= 2})
    archives = [rel for rel in files.under("charts") if rel.count("/") == 1
                and rel.endswith((".tgz", ".tar.gz"))]
    for sub in subfolders:
        if f"charts/{sub}/{CHART_FILE}" not in files.readers:
            continue
        found.add(_add_subchart(chart, _subfolder(files, sub), deps, depth, sub, at))
    for index, rel in enumerate(archives):
        where = files.display(rel)
        if chart.archives_over_budget:
            # Over the budget already: the archives left are named once, not each.
            left = len(archives) - index
            chart.notes.append(CoverageNote(where, f"{where}: {_over_budget()}" + (
                f" (and {left - 1} more packaged chart{'s' if left > 2 else ''} beside it)"
                if left > 1 else ""), "gap"))
            break
        try:
            top, sub_files = _archive_files(files.readers[rel](), where, chart)
        except (OSError, tarfile.TarError, EOFError, ValueError) as exc:
            why = str(exc) if isinstance(exc, _OverBudget) else f"cannot read packaged chart: {exc}"
            chart.notes.append(CoverageNote(where, f"{where}: {why}", "gap"))
            continue
        found.add(_add_subchart(chart, sub_files, deps, depth, top, at))
    for dep in deps:
        name = dep.get("name")
        if isinstance(name, str) and name not in found and depth == 0:
            chart.missing.append(name)


def _add_subchart(
    chart: Chart,
    files: _Files,
    deps: list[dict[str, Any]],
    depth: int,
    folder: str,
    parent: _Instance,
) -> str:
    """Add a subchart once per dependency entry that names it (each alias is an instance of
    its own, with its own values and switch); once, unswitched, when none does."""
    meta = _metadata(files, chart.notes)
    name = meta.get("name") if isinstance(meta.get("name"), str) else folder
    assert isinstance(name, str)
    if depth >= MAX_CHART_DEPTH:
        return name
    own = _chart_values(files, chart.values_notes)
    library = meta.get("type") == "library"
    for entry in [d for d in deps if d.get("name") == name] or [{}]:
        alias = entry.get("alias")
        key = alias if isinstance(alias, str) and alias else name
        values = subchart_values(own, parent.values, key)
        switch = gate(entry, key, parent.values, values, parent.tags)
        at = _Instance(
            prefixes=tuple(f"{p}/charts/{key}" for p in parent.prefixes),
            values=values,
            gates=parent.gates + ((switch,) if switch is not None else ()),
            tags=parent.tags,
        )
        _add_chart(chart, files, meta, library, depth + 1, at)
    return name
