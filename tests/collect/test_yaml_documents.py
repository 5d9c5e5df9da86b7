"""yaml_documents: cutting a YAML stream into documents, and the line of each object."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from upgradecheck.collect.yaml_documents import (
    Chunk,
    Document,
    DocumentProblem,
    iter_json_documents,
    iter_yaml_documents,
    split_documents,
)


def _starts(text: str) -> list[int]:
    return [chunk.start_line for chunk in split_documents(text)]


def _lines(outcomes: Any) -> list[tuple[str, int]]:
    return [
        ("doc" if isinstance(outcome, Document) else "problem", outcome.line)
        for outcome in outcomes
    ]


def test_a_text_without_markers_is_one_chunk() -> None:
    assert split_documents("apiVersion: v1\nkind: Namespace\n") == [
        Chunk(1, "apiVersion: v1\nkind: Namespace\n")
    ]


def test_leading_comments_stay_with_the_first_document() -> None:
    text = "# header\n\n---\n# Source: a.yaml\napiVersion: v1\n---\napiVersion: v2\n"
    chunks = split_documents(text)
    assert [chunk.start_line for chunk in chunks] == [1, 6]
    assert chunks[0].text.startswith("# header") and "# Source: a.yaml" in chunks[0].text


def test_markers_only_count_at_column_zero_followed_by_a_blank() -> None:
    text = "a: |\n  ---\nb: '---x'\n---x: 1\n--- # comment\nc: 1\n"
    assert _starts(text) == [1, 5]


def test_empty_documents_are_their_own_chunks_and_parse_to_nothing() -> None:
    text = "---\n# nothing\n---\n---\napiVersion: v1\nkind: A\n"
    assert _starts(text) == [1, 3, 4]
    assert _lines(iter_yaml_documents(text)) == [("doc", 5)]


def test_document_end_marker_closes_a_document() -> None:
    text = "apiVersion: v1\nkind: A\n...\n%YAML 1.1\n---\napiVersion: v1\nkind: B\n"
    assert _starts(text) == [1, 4]
    assert _lines(iter_yaml_documents(text)) == [("doc", 1), ("doc", 6)]


@pytest.mark.parametrize(
    "text",
    ["apiVersion: v1\nkind: A\n...\n...\n---\napiVersion: v1\nkind: B\n",
     "apiVersion: v1\nkind: A\n...\n# only a comment\n...\n...\n",
     "apiVersion: v1\nkind: A\n... # ends\n...\n"],
)  # fmt: skip
def test_a_stray_end_marker_after_one_ends_nothing(text: str) -> None:
    # As PyYAML reads the whole stream: the documents, and no problem.
    outcomes = list(iter_yaml_documents(text))
    assert [o.data for o in outcomes if isinstance(o, Document)] == [
        d for d in yaml.safe_load_all(text) if d is not None
    ]
    assert all(isinstance(o, Document) for o in outcomes)


def test_directive_before_the_first_marker() -> None:
    text = "%YAML 1.1\n---\napiVersion: v1\nkind: A\n"
    assert _lines(iter_yaml_documents(text)) == [("doc", 3)]


def test_content_on_the_marker_line() -> None:
    text = "--- {apiVersion: v1, kind: A}\n--- !!map\napiVersion: v1\nkind: B\n"
    outcomes = list(iter_yaml_documents(text))
    assert _lines(outcomes) == [("doc", 1), ("doc", 3)]


def test_object_line_falls_back_to_the_first_content_line() -> None:
    text = "---\n# c\n  apiVersion: v1\n  kind: Indented\n"
    assert _lines(iter_yaml_documents(text)) == [("doc", 3)]


def test_a_broken_document_does_not_hide_the_next() -> None:
    text = "apiVersion: v1\nkind: A\nx: [\n---\napiVersion: v1\nkind: B\n"
    outcomes = list(iter_yaml_documents(text))
    assert _lines(outcomes) == [("problem", 4), ("doc", 5)]
    problem = outcomes[0]
    assert isinstance(problem, DocumentProblem) and problem.message.startswith("YAML error: ")


def test_list_items_lines_from_the_node_graph() -> None:
    text = (
        "kind: List\napiVersion: v1\nitems:\n"
        "- kind: A\n  apiVersion: v1\n"
        "- {apiVersion: v1, kind: B}\n"
        "-   kind: C\n"
    )
    (document,) = iter_yaml_documents(text)
    assert isinstance(document, Document)
    assert (document.line, document.item_lines) == (2, (5, 6, 7))


def test_json_array_and_list_lines() -> None:
    array = '[\n {"kind": "A",\n  "apiVersion": "v1"},\n {"kind": "B"}\n]'
    assert _lines(iter_json_documents(array)) == [("doc", 3), ("doc", 4)]
    listed = (
        '{"kind": "List", "metadata": {"items": [{"apiVersion": "no"}]},\n'
        ' "items": [\n  {"metadata": {"ownerReferences": [{"apiVersion": "x"}]},\n'
        '   "apiVersion": "v1", "kind": "A"},\n  {"kind": "B"}],\n "apiVersion": "v1"}'
    )
    (document,) = iter_json_documents(listed)
    assert isinstance(document, Document)
    assert (document.line, document.item_lines) == (6, (4, 5))


def test_a_json_objects_line_is_its_own_api_version_not_a_nested_one() -> None:
    text = (
        '{\n "metadata": {\n  "name": "web",\n  "ownerReferences": [\n'
        '   {"apiVersion": "apps/v1", "kind": "ReplicaSet"}\n  ]\n },\n'
        ' "note": "\\"apiVersion\\": [{",\n "apiVersion": "v1",\n "kind": "Pod"\n}'
    )
    (document,) = iter_json_documents(text)
    assert isinstance(document, Document) and document.line == 9
    (nested_only,) = iter_json_documents('{"spec":\n {"apiVersion": "v1"}}')
    assert isinstance(nested_only, Document) and nested_only.line == 1


def test_json_strings_with_brackets_and_escapes_do_not_confuse_the_lines() -> None:
    text = '{"apiVersion": "v1", "kind": "List", "items": [\n{"a": "}]\\"{["},\n{"b": 1}]}'
    (document,) = iter_json_documents(text)
    assert isinstance(document, Document) and document.item_lines == (2, 3)
