"""JUnit XML, the test report GitLab, Jenkins and Azure DevOps show: one test suite per rule
that fired, one test case per finding, failed when the finding is at or above `--fail-on`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from upgradecheck.exit_codes import FailOn
from upgradecheck.model import CoverageNote, Finding, Report, Severity
from upgradecheck.render.escaping import clean, one_line
from upgradecheck.render.interface import Renderer
from upgradecheck.render.view import evidence_label, object_label

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

COVERAGE_SUITE = "upgradecheck coverage"
"""The suite listing what could not be read (never a rule id: those are kebab-case)."""

# What XML 1.0 cannot hold at all, even as a character reference: the C0 controls other
# than tab, newline and carriage return (clean() drops those), U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\ufffe\uffff]")


def xml_text(value: object) -> str:
    """`value` as text XML can hold: controls, bidi overrides and non-characters dropped."""
    return _NOT_XML.sub("", clean(value))


def fails(finding: Finding, fail_on: FailOn) -> bool:
    """Whether the finding fails the run (and so its test case): at or above `fail_on`,
    not suppressed."""
    if fail_on is FailOn.NONE or finding.suppression is not None:
        return False
    return finding.severity.rank >= Severity(fail_on.value).rank


def case_name(finding: Finding) -> str:
    """`PodDisruptionBudget shop/web (policy/v1beta1) at file manifests/pdb.yaml:12`."""
    name = object_label(finding)
    if finding.object is not None:
        name += f" ({finding.object.api_version})"
    if finding.evidence:
        name += f" at {evidence_label(finding.evidence[0])}"
        if len(finding.evidence) > 1:
            name += f" (+{len(finding.evidence) - 1})"
    return one_line(name)


def details(finding: Finding) -> str:
    """The body of a failure (or of a passing case's output): message, fix, evidence, link."""
    lines = [finding.message, "", f"How to fix: {finding.remediation}"]
    if finding.hop:
        lines.append(f"Breaks at: Kubernetes {finding.hop}")
    lines += ["", "Evidence:"] + [f"  - {evidence_label(e)}" for e in finding.evidence]
    if finding.link:
        lines += ["", f"More: {finding.link}"]
    return xml_text("\n".join(lines if finding.evidence else lines[:-2]))


class JunitRenderer(Renderer[Report]):
    """`<testsuites>` for the report; failures by `options.fail_on`."""

    def render(self, report: Report) -> str:
        """The JUnit XML document for `report` (suppressed findings as skipped cases)."""
        import xml.etree.ElementTree as ET  # here: only JUnit needs it, at a start-up cost

        fail_on = self.options.fail_on
        root = ET.Element("testsuites", name="upgradecheck", time="0")
        by_rule: dict[str, list[Finding]] = {}
        for finding in (*report.findings, *report.suppressed):
            by_rule.setdefault(finding.rule, []).append(finding)
        for rule, findings in by_rule.items():
            root.append(self._suite(rule, findings, fail_on, report.generated_at))
        if report.gaps:
            root.append(_coverage_suite(report.gaps, report.generated_at))
        suites = list(root)
        for attribute in ("tests", "failures", "errors"):
            root.set(attribute, str(sum(int(s.get(attribute, "0")) for s in suites)))
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'

    @staticmethod
    def _suite(
        rule: str, findings: Sequence[Finding], fail_on: FailOn, timestamp: str
    ) -> ET.Element:
        import xml.etree.ElementTree as ET

        suite = ET.Element(
            "testsuite", name=xml_text(rule), timestamp=xml_text(timestamp), time="0"
        )
        failures = skipped = 0
        for finding in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=xml_text(rule),
                name=xml_text(case_name(finding)),
                time="0",
            )
            if finding.suppression is not None:
                skipped += 1
                ET.SubElement(
                    case, "skipped", message=xml_text(f"suppressed: {finding.suppression.reason}")
                )
            elif fails(finding, fail_on):
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    type=finding.severity.value,
                    message=xml_text(one_line(finding.message)),
                )
                failure.text = details(finding)
            else:
                out = ET.SubElement(case, "system-out")
                out.text = f"{finding.severity.value}: {details(finding)}"
        suite.set("tests", str(len(findings)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        return suite


def _coverage_suite(gaps: Sequence[CoverageNote], timestamp: str) -> ET.Element:
    """What could not be read: an input error (exit code 2) is an error case, any other gap a
    passing case whose output says what was not seen."""
    import xml.etree.ElementTree as ET

    suite = ET.Element("testsuite", name=COVERAGE_SUITE, timestamp=xml_text(timestamp), time="0")
    errors = 0
    for note in gaps:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=COVERAGE_SUITE,
            name=xml_text(one_line(note.subject)),
            time="0",
        )
        if note.is_input_error:
            errors += 1
            ET.SubElement(
                case, "error", type=note.kind, message=xml_text(one_line(note.describe()))
            )
        else:
            out = ET.SubElement(case, "system-out")
            out.text = xml_text(f"not checked ({note.kind}): {note.describe()}")
    suite.set("tests", str(len(gaps)))
    suite.set("failures", "0")
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    return suite
