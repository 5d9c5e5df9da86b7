"""A chart folder in a scan: rendered with `helm template` for the target version, each
rendered object pointing at the template file and line it comes from; read by the
template-aware fallback when there is no helm or helm fails.

`helm template` answers `.Capabilities` from its own defaults unless told otherwise, and
those defaults describe no particular server: `--kube-version` sets the version and
`--api-versions` adds what the target serves (`api_versions.served_api_versions`).

helm reads the files of a chart itself and follows links, so it renders a copy: the chart's
regular files inside the scanned tree (`contain`), within a size budget; its output is
capped like a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any

from upgradecheck.collect.binaries import (
    BuildOptions,
    Client,
    FolderOutput,
    Placement,
    Stream,
    run_client,
)
from upgradecheck.collect.contain import (
    COPY_FACTOR,
    TooLarge,
    Tree,
    copy_files,
    list_folder,
)
from upgradecheck.collect.helm.chart import Chart, load_chart
from upgradecheck.collect.helm.fallback import unrendered
from upgradecheck.model import CoverageNote

RELEASE_NAME = "release-name"
"""The release name charts are rendered with (helm's own default name)."""

NAMESPACE = "default"
"""The namespace charts are rendered into."""

_API_VERSION_LINE = re.compile(r"^apiVersion[ \t]*:.*$", re.M)


def read_chart(
    fs_dir: str, display: str, options: BuildOptions, limit: int, tree: Tree | None = None
) -> FolderOutput:
    """Render a chart folder with helm (or read its templates when that cannot be done).

    Nothing outside `tree` (default: the chart folder) is read: the chart's files are
    listed inside it, and helm renders a copy of them (`contain`), so that a link in the
    chart cannot hand helm a file from elsewhere. `limit` bounds each file and helm's output.
    """
    tree = tree if tree is not None else Tree.of(fs_dir)
    listing = list_folder(fs_dir, tree)
    chart = load_chart(fs_dir, display, limit, options.values, listing)
    chart.notes[:0] = [_refused(display, rel, why) for rel, why in listing.refused]
    if chart.library:
        return FolderOutput(notes=[*chart.notes, CoverageNote(
            display, f"{display}: library chart (type: library): renders nothing by itself",
            "skipped",
        )])
    helm = options.helm.get()
    if helm is None:
        return unrendered(chart, options.helm.missing, chart.notes, options.capability_table())
    if chart.archives_over_budget:
        # helm would unpack them all itself, for seconds and gigabytes.
        return unrendered(
            chart, "its packaged subcharts are over the limit", chart.notes,
            options.capability_table(),
        )
    with tempfile.TemporaryDirectory(prefix="upgradecheck-chart-") as work:
        copy = os.path.join(work, os.path.basename(os.path.abspath(fs_dir)) or "chart")
        try:
            problems = copy_files(listing.files, copy, COPY_FACTOR * limit)
        except (TooLarge, OSError) as exc:
            why = str(exc) if isinstance(exc, TooLarge) else f"cannot copy it: {exc}"
            skipped = CoverageNote(display, f"{display}: not rendered by helm: {why}", "error")
            return unrendered(
                chart, "not copied for helm", [*chart.notes, skipped], options.capability_table()
            )
        chart.notes.extend(_refused(display, rel, why) for rel, why in problems)
        home = os.path.join(work, "home")
        os.mkdir(home)
        result = run_client(
            _helm_argv(helm, copy, options), options.timeout, max_output=limit, home=home
        )
    if not result.ok:
        failed = CoverageNote(
            display, f"{display}: helm template {helm.version} failed: {result.error}", "error"
        )
        return unrendered(chart, f"helm template {helm.version} failed", [*chart.notes, failed],
                          options.capability_table())
    detail = f"rendered by helm template {helm.version} for Kubernetes {options.target}"
    placer = _HelmPlacer(chart, detail, options)
    return FolderOutput(
        streams=[Stream(f"{display} (helm template)", result.stdout, placer)],
        notes=list(chart.notes),
        stats={"charts_rendered": 1, "files": sum(1 for t in chart.templates if t.renders)},
    )


def _refused(display: str, rel: str, why: str) -> CoverageNote:
    """A file of the chart neither read nor given to helm: a link out of the tree, a FIFO."""
    where = os.path.join(display, *(part for part in rel.split("/") if part))
    return CoverageNote(where, f"{where}: skipped: {why}", "skipped")


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


class _HelmPlacer:
    """Maps each rendered document to its template file and the line of its apiVersion."""

    def __init__(self, chart: Chart, detail: str, options: BuildOptions) -> None:
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
