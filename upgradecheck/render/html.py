"""The HTML report: one self-contained page (inline CSS, no external assets) whose one
inline script, allowed by its hash, sorts the findings table."""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from markupsafe import Markup

from upgradecheck.model import Report
from upgradecheck.render.interface import Renderer, RenderError, RenderOptions
from upgradecheck.render.templating import render_template
from upgradecheck.render.view import (
    Limits,
    build_view,
    evidence_label,
    lifecycle,
    object_label,
)
from upgradecheck.resources import templates_dir
from upgradecheck.versions import VersionError, parse_minor

# Objects listed under a plan step before "and N more".
STEP_OBJECTS = 10
# Evidence entries listed under a finding before "and N more".
FINDING_EVIDENCE = 10
# Suppressed findings listed before "and N more".
SUPPRESSED_ROWS = 500
SCRIPT = "report-table.js"
"""The findings table's script, in `templates/`."""


@cache
def table_script() -> tuple[str, str]:
    """The script's text and its CSP source (`sha256-...`): the page allows that text only,
    so nothing a value smuggles into the page can run."""
    try:
        text = (templates_dir() / SCRIPT).read_text(encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"cannot read the report script {SCRIPT}: {exc}") from exc
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"sha256-{digest}"


def hop_key(hop: str | None) -> str:
    """A sort key for the hop column that orders as text: no hop (`000.000`, wrong today)
    first, then `001.030` for 1.30."""
    if hop is None:
        return "000.000"
    try:
        minor = parse_minor(hop)
    except VersionError:
        return "999.999"
    return f"{minor.major:03d}.{minor.minor:03d}"


class HtmlRenderer(Renderer[Report]):
    """Renders `templates/report.html.j2`; large reports are summarised within `limits`."""

    def __init__(
        self, options: RenderOptions | None = None, *, limits: Limits | None = None
    ) -> None:
        super().__init__(options)
        self.limits = limits or Limits()

    def render(self, report: Report) -> str:
        """The page for `report`."""
        script, script_hash = table_script()
        return render_template(
            "report.html.j2",
            view=build_view(report, self.limits),
            report=report,
            object_label=object_label,
            evidence_label=evidence_label,
            lifecycle=lifecycle,
            hop_key=hop_key,
            step_objects=STEP_OBJECTS,
            finding_evidence=FINDING_EVIDENCE,
            suppressed_rows=SUPPRESSED_ROWS,
            script=Markup(script),
            script_hash=script_hash,
        )
