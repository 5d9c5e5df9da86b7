"""The template syntax and the branch reader on their own: tokens, the parse tree, and the
key lines the reader finds in it with their branches and values."""

from __future__ import annotations

from upgradecheck.collect.helm.branches import BranchReader, compatible, parse_template
from upgradecheck.collect.helm.chart import TemplateFile
from upgradecheck.collect.helm.parse import Action, Block, Define, Text, parse
from upgradecheck.collect.helm.tokens import lex


def test_actions_end_outside_strings_and_comments() -> None:
    text = 'a {{ print "}}" }} b {{/* }} */}} c {{- if .x -}} d'
    tokens = lex(text)
    assert [t.expr for t in tokens.actions] == ['print "}}"', "/* }} */", "if .x"]
    assert [t.is_comment for t in tokens.actions] == [False, True, False]
    first = tokens.actions[0]
    assert text[first.start : first.end] == '{{ print "}}" }}'
    assert tokens.unclosed is None


def test_an_unclosed_action_stops_the_lexer() -> None:
    text = "{{ ok }} then {{ never closed\nkind: Pod\n"
    tokens = lex(text)
    assert [t.expr for t in tokens.actions] == ["ok"]
    assert tokens.unclosed == text.index("{{ never")


def test_blocks_nest_with_labelled_branches() -> None:
    text = (
        '{{ define "x" }}inner{{ end }}'
        "{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}"
        "{{ .Values.y }}"
    )
    tree = parse(text)
    define, block, action = tree.nodes
    assert isinstance(define, Define) and define.name == "x" and not define.inline
    assert tree.defines == {"x": define}
    assert isinstance(block, Block) and block.keyword == "if"
    assert [b.label for b in block.branches] == [
        "{{ if .a }}", "{{ if .a }} (else if .b)", "{{ if .a }} (else)",
    ]
    (a,) = block.branches[0].children
    assert isinstance(a, Text) and text[a.start : a.end] == "A"
    assert isinstance(action, Action) and action.expr == ".Values.y"
    assert tree.problems == []


def test_bad_nesting_is_a_problem_not_a_failure() -> None:
    text = "x\n{{ else }}\n{{ end }}\n{{ if .a }}\ny"
    tree = parse(text)
    assert [(tree.line(pos), message) for pos, message in tree.problems] == [
        (2, "{{ else }} outside {{ if }}, {{ with }} or {{ range }}"),
        (3, "{{ end }} without an opening block"),
        (4, "{{ if .a }} has no {{ end }}"),
    ]
    assert isinstance(tree.nodes[-1], Block)


def test_the_branch_reader_keeps_each_line_in_its_branch() -> None:
    text = (
        "{{- if .Capabilities.APIVersions.Has \"policy/v1\" }}\n"
        "apiVersion: policy/v1\n"
        "{{- else }}\n"
        "apiVersion: policy/v1beta1\n"
        "{{- end }}\n"
        "kind: PodDisruptionBudget\n"
        "---\n"
        "apiVersion: {{ if .new }}apps/v1{{ else }}extensions/v1beta1{{ end }}\n"
        "kind: Deployment\n"
    )
    template = parse_template(TemplateFile("c/templates/x.yaml", "c/templates/x.yaml", text))
    lines = BranchReader([template]).lines(template)
    assert [(line.what, line.line) for line in lines] == [
        ("apiVersion", 2), ("apiVersion", 4), ("kind", 6), ("---", 7),
        ("apiVersion", 8), ("kind", 9),
    ]
    new, old, kind = lines[0], lines[1], lines[2]
    assert [a.value for a in new.alts] == [" policy/v1"]
    assert [step.label for step in old.path] == [
        '{{ if .Capabilities.APIVersions.Has "policy/v1" }} (else)'
    ]
    assert not compatible(new.path, old.path)
    assert compatible(new.path, kind.path) and compatible(old.path, kind.path)
    inline = lines[4]
    assert inline.path == ()
    assert [(a.value, [s.label for s in a.steps]) for a in inline.alts] == [
        (" apps/v1", ["{{ if .new }}"]),
        (" extensions/v1beta1", ["{{ if .new }} (else)"]),
    ]


def test_values_and_includes_resolve_and_the_rest_is_named() -> None:
    helpers = TemplateFile(
        "c/templates/_helpers.tpl", "c/templates/_helpers.tpl",
        '{{ define "c.api" }}{{ print "batch/v1" }}{{ end }}', renders=False,
    )
    text = (
        'apiVersion: {{ include "c.api" . }}\n'
        'apiVersion: {{ .Values.monitor.api | default "monitoring.coreos.com/v1" }}\n'
        "apiVersion: {{ $route.apiVersion }}\n"
    )
    main = TemplateFile("c/templates/x.yaml", "c/templates/x.yaml", text,
                        values={"monitor": {"api": "monitoring.coreos.com/v1beta1"}})
    templates = [parse_template(helpers), parse_template(main)]
    included, valued, unknown = BranchReader(templates).lines(templates[1])
    assert [(a.value, [s.label for s in a.steps]) for a in included.alts] == [
        (' batch/v1', ['{{ include "c.api" . }}'])
    ]
    assert [a.value for a in valued.alts] == [" monitoring.coreos.com/v1beta1"]
    assert [(a.value.where, a.unresolved) for a in unknown.alts] == [
        ("c/templates/x.yaml:3", "{{ $route.apiVersion }}")
    ]
