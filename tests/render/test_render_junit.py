"""JUnit XML: valid against the published JUnit XSD, one suite per rule that fired, one case per
finding, failures exactly for the findings at or above --fail-on, counts that agree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
import xmlschema
from msgspec import structs
from support.render_reports import HOSTILE, bulk, empty, hostile, realistic

from upgradecheck.exit_codes import FailOn, exit_code
from upgradecheck.model import CoverageNote, Report, Severity, Suppression
from upgradecheck.render.escaping import encoded
from upgradecheck.render.interface import RenderOptions
from upgradecheck.render.junit import COVERAGE_SUITE, JunitRenderer

XSD = Path(__file__).parent / "schemas" / "junit-10.xsd"
Golden = Callable[[str, str], None]


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(XSD)


def junit(report: Report, fail_on: FailOn = FailOn.BLOCKER) -> ET.Element:
    """The JUnit document for `report` as written to a file, checked against the XSD."""
    data = encoded(JunitRenderer(RenderOptions(fail_on=fail_on)).render(report))
    schema().validate(data.decode("utf-8"))
    return ET.fromstring(data)


def with_suppressed(report: Report) -> Report:
    accepted = Suppression("accepted", None, "x.yaml:2")
    hidden = structs.replace(report.findings[-1], suppression=accepted)
    return replace(report, findings=report.findings[:-1], suppressed=(hidden,))


def with_input_error(report: Report) -> Report:
    note = CoverageNote("manifests/broken.yaml", "manifests/broken.yaml:3: bad YAML", "error")
    return replace(report, coverage=(*report.coverage, note))


@pytest.mark.parametrize(
    "build",
    [realistic, empty, hostile, lambda: with_suppressed(realistic()), lambda: bulk(30)],
    ids=["realistic", "empty", "hostile", "suppressed", "bulk"],
)
@pytest.mark.parametrize("fail_on", list(FailOn))
def test_valid_against_the_junit_xsd(build: Callable[[], Report], fail_on: FailOn) -> None:
    assert junit(build(), fail_on).tag == "testsuites"


def test_the_xsd_check_can_fail() -> None:
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema().validate("<testsuites><testsuite name='x'/></testsuites>")


def test_one_suite_per_rule_one_case_per_finding() -> None:
    report = realistic()
    root = junit(report)
    suites = [s for s in root.findall("testsuite") if s.get("name") != COVERAGE_SUITE]
    assert [s.get("name") for s in suites] == list(dict.fromkeys(f.rule for f in report.findings))
    for suite in suites:
        cases = suite.findall("testcase")
        assert all(c.get("classname") == suite.get("name") for c in cases)
        assert len(cases) == sum(1 for f in report.findings if f.rule == suite.get("name"))
    names = [c.get("name") for c in root.iter("testcase")]
    assert (
        "PodDisruptionBudget shop/web (policy/v1beta1) at file manifests/shop/pdb.yaml:12" in names
    )


@pytest.mark.parametrize(
    ("fail_on", "failing"),
    [
        (FailOn.BLOCKER, {Severity.BLOCKER}),
        (FailOn.WARNING, {Severity.BLOCKER, Severity.WARNING}),
        (FailOn.NONE, set()),
    ],
)
def test_failures_are_the_findings_at_or_above_fail_on(
    fail_on: FailOn, failing: set[Severity]
) -> None:
    report = realistic()
    root = junit(report, fail_on)
    cases = [
        c
        for s in root.findall("testsuite")
        if s.get("name") != COVERAGE_SUITE
        for c in s.findall("testcase")
    ]
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == sum(1 for f in report.findings if f.severity in failing)
    assert {c.find("failure").get("type") for c in failed} == {s.value for s in failing}  # type: ignore[union-attr]
    # The document fails exactly when the run does.
    assert bool(failed) == (exit_code(report, fail_on) != 0)
    for case in cases:
        if case.find("failure") is None:
            assert case.find("system-out") is not None  # a passing case still says what it is


def test_a_failure_holds_the_message_and_the_fix() -> None:
    report = realistic()
    failure = junit(report).find("testsuite/testcase/failure")
    assert failure is not None
    first = report.findings[0]
    assert failure.get("message") == first.message
    assert first.message in (failure.text or "")
    assert f"How to fix: {first.remediation}" in (failure.text or "")


def test_counts_agree_with_the_cases() -> None:
    report = with_input_error(with_suppressed(realistic()))
    root = junit(report, FailOn.WARNING)
    total = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        assert {k: int(suite.get(k, "-1")) for k in counts} == counts
        for key in total:
            total[key] += counts[key]
    assert {k: int(root.get(k, "-1")) for k in total} == total
    assert total["errors"] == 1


def test_suppressed_findings_are_skipped_with_their_reason() -> None:
    root = junit(with_suppressed(realistic()))
    skipped = [c for c in root.iter("testcase") if c.find("skipped") is not None]
    assert len(skipped) == 1
    assert skipped[0].find("skipped").get("message") == "suppressed: accepted"  # type: ignore[union-attr]


def test_coverage_gaps_have_a_suite_of_their_own() -> None:
    root = junit(with_input_error(realistic()))
    coverage = [s for s in root.findall("testsuite") if s.get("name") == COVERAGE_SUITE]
    assert len(coverage) == 1
    cases = coverage[0].findall("testcase")
    assert len(cases) == 3
    assert [c.find("error") is not None for c in cases] == [False, False, True]
    assert all(s.get("name") != COVERAGE_SUITE for s in junit(empty()).findall("testsuite"))


def test_text_xml_cannot_hold_is_dropped() -> None:
    nasty = structs.replace(
        realistic().findings[0],
        message="bell \x07 form-feed \x0c nonchar \ufffe end " + HOSTILE,
        remediation="lone \udcff surrogate",
    )
    root = junit(empty(findings=(nasty,)))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert "\x07" not in (failure.text or "") and "\ufffe" not in (failure.text or "")
    assert "\\udcff" in (failure.text or "")


def test_golden(golden: Golden) -> None:
    golden("report.junit.xml.golden", JunitRenderer().render(with_suppressed(realistic())))
