"""The expression of one template action as a pipeline of commands: `$v := default "x"
.Values.y | quote` is a variable set from two commands, each a function or a value applied
to operands (literals, fields of the dot or of a variable, parenthesised pipelines)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from upgradecheck.collect.helm.tokens import Word, lex_expression

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "a": "\a",
            "b": "\b", "f": "\f", "v": "\v"}  # fmt: skip


@dataclass(frozen=True)
class Literal:
    """A constant: a string, a number, `true`, `false` or `nil`."""

    value: str | int | float | bool | None


@dataclass(frozen=True)
class Ref:
    """The dot (`.`, `.Values.x`), a variable (`$`, `$x.a`) or a parenthesised pipeline
    (`(include "x" .)`, `(.Values).a`), with the fields read from it."""

    base: str | Pipeline
    """`.`, `$`, `$name`, or the pipeline in parentheses."""
    path: tuple[str, ...] = ()
    """The fields read, in order."""


@dataclass(frozen=True)
class Function:
    """A function named as a command's first word (`include`, `default`, ...)."""

    name: str


Operand = Literal | Ref | Function


@dataclass(frozen=True)
class Command:
    """One command of a pipeline: a function and its arguments, or a single value."""

    operands: tuple[Operand, ...]


@dataclass(frozen=True)
class Pipeline:
    """`$v := a | b c`: commands joined by `|`, each one's value passed as the last argument
    of the next; optionally setting variables."""

    commands: tuple[Command, ...]
    variables: tuple[str, ...] = ()
    """The variables it sets (`$v`; `$i`, `$v` for a range)."""
    assign: bool = False
    """`=`: sets an existing variable (else `:=`, which declares one)."""
    text: str = ""
    """As written."""


class _SyntaxError(Exception):
    pass


@functools.lru_cache(maxsize=4096)
def parse_pipeline(expr: str) -> Pipeline | None:
    """An action's expression as a pipeline; None when it is not Go template syntax."""
    words = lex_expression(expr)
    if not words:
        return None
    parser = _PipelineParser(expr, words)
    try:
        pipe = parser.pipeline()
    except _SyntaxError:
        return None
    return pipe if parser.pos == len(words) else None


class _PipelineParser:
    def __init__(self, expr: str, words: tuple[Word, ...]) -> None:
        self.expr = expr
        self.words = words
        self.pos = 0

    def _peek(self, offset: int = 0) -> Word | None:
        index = self.pos + offset
        return self.words[index] if index < len(self.words) else None

    def _kind(self, offset: int = 0) -> str:
        word = self._peek(offset)
        return word.kind if word else ""

    def pipeline(self) -> Pipeline:
        start = self._peek()
        variables: list[str] = []
        assign = False
        if self._kind() == "variable" and self._kind(1) in ("declare", "assign", "comma"):
            variables.append(self.words[self.pos].text)
            if self._kind(1) == "comma":
                if self._kind(2) != "variable" or self._kind(3) not in ("declare", "assign"):
                    raise _SyntaxError
                variables.append(self.words[self.pos + 2].text)
                self.pos += 2
            assign = self._kind(1) == "assign"
            self.pos += 2
        commands = [self._command()]
        while self._kind() == "pipe":
            self.pos += 1
            commands.append(self._command())
        end = self.words[self.pos - 1].end
        text = self.expr[start.start if start else 0 : end]
        return Pipeline(tuple(commands), tuple(variables), assign, text)

    def _command(self) -> Command:
        operands: list[Operand] = []
        while self._kind() not in ("", "pipe", "close"):
            operands.append(self._operand())
        if not operands:
            raise _SyntaxError
        return Command(tuple(operands))

    def _operand(self) -> Operand:
        word = self.words[self.pos]
        self.pos += 1
        kind, text = word.kind, word.text
        term: Operand
        if kind == "string":
            term = Literal(unquote(text))
        elif kind == "raw":
            term = Literal(text[1:-1])
        elif kind == "char":
            term = Literal(ord(unquote(text)[:1] or "\0"))
        elif kind == "number":
            term = Literal(_number(text))
        elif kind == "identifier":
            constants: dict[str, Literal] = {
                "true": Literal(True), "false": Literal(False), "nil": Literal(None)
            }
            term = constants.get(text) or Function(text)
        elif kind == "dot":
            term = Ref(".")
        elif kind == "field":
            term = Ref(".", tuple(text[1:].split(".")))
        elif kind == "variable":
            term = Ref(text)
        elif kind == "open":
            inner = self.pipeline()
            if self._kind() != "close":
                raise _SyntaxError
            self.pos += 1
            term = Ref(inner)
        else:
            raise _SyntaxError
        # Fields glued to a variable or a parenthesis: `$x.a.b`, `(...).a`.
        while (
            isinstance(term, Ref)
            and self._kind() == "field"
            and self.words[self.pos].start == self.words[self.pos - 1].end
        ):
            term = Ref(term.base, term.path + tuple(self.words[self.pos].text[1:].split(".")))
            self.pos += 1
        return term


def _number(text: str) -> int | float:
    cleaned = text.replace("_", "")
    try:
        return int(cleaned, 0)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        raise _SyntaxError from None


def unquote(literal: str) -> str:
    """The value of a Go string literal: `"..."` (escapes read), `` `...` `` (as is), `'.'`."""
    if literal[:1] == "`":
        return literal[1:-1]
    body = literal[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            out.append(_ESCAPES.get(body[index + 1], body[index + 1]))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)
