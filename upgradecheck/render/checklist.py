"""The rehearsal checklist: the plan as a Markdown task list, one box per action."""

from __future__ import annotations

from upgradecheck.model import Report
from upgradecheck.render.interface import Renderer
from upgradecheck.render.templating import render_template
from upgradecheck.render.view import build_view, object_label

# Objects listed (each with its own box) under a fix step before "and N more".
STEP_OBJECTS = 25


class ChecklistRenderer(Renderer[Report]):
    """Renders `templates/checklist.md.j2` from the plan."""

    def render(self, report: Report) -> str:
        """The checklist for `report`."""
        return render_template(
            "checklist.md.j2",
            view=build_view(report),
            report=report,
            object_label=object_label,
            step_objects=STEP_OBJECTS,
        )
