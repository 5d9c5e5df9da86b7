"""The HTML plan: one self-contained page (inline CSS, no scripts, no external assets)."""

from __future__ import annotations

from upgradecheck.model import Report
from upgradecheck.render.interface import Renderer
from upgradecheck.render.templating import render_template
from upgradecheck.render.view import Limits, build_view, evidence_label, lifecycle, object_label

# Objects listed under a plan step before "and N more".
STEP_OBJECTS = 10
# Evidence entries listed under a finding before "and N more".
FINDING_EVIDENCE = 10
# Suppressed findings listed before "and N more".
SUPPRESSED_ROWS = 500


class HtmlRenderer(Renderer[Report]):
    """Renders `templates/report.html.j2`; large reports are summarised within `limits`."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def render(self, report: Report) -> str:
        """The page for `report`."""
        return render_template(
            "report.html.j2",
            view=build_view(report, self.limits),
            report=report,
            object_label=object_label,
            evidence_label=evidence_label,
            lifecycle=lifecycle,
            step_objects=STEP_OBJECTS,
            finding_evidence=FINDING_EVIDENCE,
            suppressed_rows=SUPPRESSED_ROWS,
        )
