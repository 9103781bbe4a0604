"""Safe YAML: a small node tree with a position on every node, built from ruamel.yaml's event stream.

We never let ruamel construct Python objects. Tags, anchors and aliases are refused (aliases at
once, so an alias bomb costs nothing), duplicate keys and deep nesting too. Plain scalars are
resolved by the YAML 1.2 core schema; every scalar keeps its source text, so money and
expressions are read from what the merchant wrote, not from a float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from rules.errors import Code, Diagnostic
from rules.model import MAX_NUMBER_LENGTH, SourceRef

MAX_YAML_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 24  # nested mappings/sequences; real files need about 8

_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OTHER = re.compile(r"0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_FLOAT_SPECIAL = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")


@dataclass
class Node:
    """A YAML node and where it starts."""

    source: SourceRef


@dataclass
class Scalar(Node):
    """A scalar. `kind` is str | int | float | bool | null; `text` is the string as written (unquoted)."""

    text: str
    kind: str
    value: str | int | Decimal | bool | None
    plain: bool
    # Where text[0] sits in the file when offsets inside `text` map one-to-one onto the line
    # (a one-line plain or quoted scalar without escapes); None for block and multi-line scalars.
    text_start: SourceRef | None = None

    def describe(self) -> str:
        """How the scalar reads in a message."""
        if self.kind == "null":
            return "nothing"
        return repr(self.text) if self.kind == "str" else self.text


@dataclass
class Mapping(Node):
    """A mapping; keys are scalars (their text is the key) and unique."""

    items: list[tuple[Scalar, Node]] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        """The value under `key`, or None."""
        return next((value for k, value in self.items if k.text == key), None)

    def key_node(self, key: str) -> Scalar | None:
        """The key scalar itself, for positions."""
        return next((k for k, _ in self.items if k.text == key), None)

    def keys(self) -> list[str]:
        """The keys in file order."""
        return [k.text for k, _ in self.items]


@dataclass
class Sequence(Node):
    """A sequence."""

    items: list[Node] = field(default_factory=list)


def describe(node: Node) -> str:
    """A node's kind as a merchant reads it: 'a mapping', 'a list', 'the number 3'."""
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    assert isinstance(node, Scalar)
    if node.kind == "null":
        return "nothing"
    if node.kind == "bool":
        return f"the boolean {node.text}"
    if node.kind in ("int", "float"):
        return f"the number {node.text}"
    return f"the text {node.text!r}"


def _is_number(text: str) -> bool:
    return any(pattern.match(text) for pattern in (_INT, _INT_OTHER, _FLOAT))


def _resolve(text: str, plain: bool) -> tuple[str, str | int | Decimal | bool | None]:
    if not plain:
        return "str", text
    if _NULL.match(text):
        return "null", None
    if _BOOL.match(text):
        return "bool", text.lower() == "true"
    if _INT.match(text):
        return "int", int(text)
    if _INT_OTHER.match(text):
        return "int", int(text, 0)
    if _FLOAT.match(text):
        return "float", Decimal(text)
    if _FLOAT_SPECIAL.match(text):
        return "str", text  # .inf / .nan: never a valid number here, so callers refuse them as text
    return "str", text


class _Builder:
    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self.stack: list[Node] = []
        # Per open collection, for mappings: awaiting a key, or the key whose value comes next.
        self.pending: list[object] = []
        self.root: Node | None = None
        self.documents = 0

    def at(self, event: Event) -> SourceRef:
        mark = event.start_mark
        return SourceRef(self.file, mark.line + 1, mark.column + 1)

    def error(self, code: str, message: str, where: SourceRef, hint: str | None) -> None:
        self.diagnostics.append(Diagnostic("error", code, message, where, hint))

    def check_properties(self, event: Event) -> None:
        anchor = getattr(event, "anchor", None)
        if anchor:
            self.error(
                Code.YAML_ALIAS,
                f"anchors (&{anchor}) are not allowed",
                self.at(event),
                "write the value out in full where it is used",
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.error(
                Code.YAML_TAG,
                f"YAML tags ({tag}) are not allowed",
                self.at(event),
                "remove the tag and write a plain value; quote it if it must stay text",
            )

    def number_fits(self, event: ScalarEvent) -> bool:
        """A plain number no longer than `MAX_NUMBER_LENGTH`, or no number at all; else an error at it."""
        value = str(event.value)
        if event.style is not None or len(value) <= MAX_NUMBER_LENGTH or not _is_number(value):
            return True
        self.error(
            Code.BAD_VALUE,
            f"the number is {len(value)} characters long; numbers have at most {MAX_NUMBER_LENGTH}",
            self.at(event),
            "write a smaller number, or quote it if it is a text",
        )
        return False

    def scalar(self, event: ScalarEvent) -> Scalar:
        value = str(event.value)
        plain = event.style is None
        kind, resolved = _resolve(value, plain)
        start, end = event.start_mark.index, event.end_mark.index
        raw = self.text[start:end]
        text_start: SourceRef | None = None
        where = self.at(event)
        if "\n" not in raw and not getattr(event, "anchor", None) and getattr(event, "tag", None) is None:
            if plain and raw == value:
                text_start = where
            elif event.style in ("'", '"') and raw[1:-1] == value:
                text_start = SourceRef(where.file, where.line, where.column + 1)
        elif event.style in ("|", ">"):
            text_start = _block_start(raw, value, where)
        return Scalar(where, value, kind, resolved, plain, text_start)

    def add(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        assert isinstance(parent, Mapping)
        state = self.pending[-1]
        if state is _AWAIT_KEY:
            if isinstance(node, Scalar):
                self.pending[-1] = node
            else:
                self.error(
                    Code.WRONG_TYPE,
                    f"a key must be a plain name, not {describe(node)}",
                    node.source,
                    "write `name: value`",
                )
                self.pending[-1] = _SKIP_VALUE
            return
        self.pending[-1] = _AWAIT_KEY
        if not isinstance(state, Scalar):
            return
        first = parent.key_node(state.text)
        if first is not None:
            self.error(
                Code.YAML_DUPLICATE_KEY,
                f"duplicate key {state.text!r} (first written at line {first.source.line})",
                state.source,
                "remove one of the two, or give it another name",
            )
            return
        parent.items.append((state, node))

    def feed(self, event: Event) -> bool:
        """Take one event; False stops the parse (a refused construct)."""
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.error(
                    Code.YAML_DOCUMENTS,
                    "more than one YAML document in the file",
                    self.at(event),
                    "keep one document per file: remove the `---` separator and what follows, "
                    "or move it to its own file",
                )
                return False
            return True
        if isinstance(event, AliasEvent):
            self.error(
                Code.YAML_ALIAS,
                f"aliases (*{event.anchor}) are not allowed",
                self.at(event),
                "write the value out in full where it is used",
            )
            return False
        if isinstance(event, ScalarEvent):
            self.check_properties(event)
            if not self.number_fits(event):
                return False
            self.add(self.scalar(event))
            return True
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            self.check_properties(event)
            if len(self.stack) >= MAX_DEPTH:
                self.error(
                    Code.YAML_TOO_DEEP,
                    f"nested more than {MAX_DEPTH} levels deep",
                    self.at(event),
                    "flatten the structure; catalog files need only a few levels",
                )
                return False
            node: Node = (
                Mapping(self.at(event)) if isinstance(event, MappingStartEvent) else Sequence(self.at(event))
            )
            self.add(node)
            self.stack.append(node)
            self.pending.append(_AWAIT_KEY)
            return True
        if isinstance(event, MappingEndEvent | SequenceEndEvent):
            self.stack.pop()
            self.pending.pop()
            return True
        return True


_AWAIT_KEY = object()
_SKIP_VALUE = object()  # the key was refused: read its value and drop it


def _block_start(raw: str, value: str, where: SourceRef) -> SourceRef | None:
    """Where a block scalar's text starts, when it is one line (`rule: >-` then the rule)."""
    lines = raw.split("\n")[1:]  # the first line holds the `|` or `>` indicator
    content = [(index, line) for index, line in enumerate(lines) if line.strip()]
    if len(content) != 1 or content[0][1].strip() != value.strip("\n"):
        return None
    index, line = content[0]
    indent = len(line) - len(line.lstrip(" "))
    return SourceRef(where.file, where.line + 1 + index, indent + 1)


def decode(data: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 text of a file (a BOM is dropped), or an error pointing at the first bad byte."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        return None, [
            Diagnostic(
                "error",
                Code.ENCODING,
                "the file is not valid UTF-8",
                SourceRef(file, line, column),
                "save the file as UTF-8",
            )
        ]
    return text, []


def load_yaml(
    data: bytes, file: str, *, max_bytes: int = MAX_YAML_BYTES
) -> tuple[Node | None, list[Diagnostic]]:
    """Parse one YAML file into a node tree; diagnostics hold every refusal. Never raises."""
    if len(data) > max_bytes:
        return None, [
            Diagnostic(
                "error",
                Code.FILE_TOO_LARGE,
                f"the file is {len(data)} bytes; the limit is {max_bytes}",
                SourceRef(file, 1, 1),
                "split the catalog into smaller files; move large combination tables to a CSV file",
            )
        ]
    text, problems = decode(data, file)
    if text is None:
        return None, problems
    builder = _Builder(text, file)
    try:
        for event in YAML(typ="safe", pure=True).parse(text):
            if not builder.feed(event):
                return None, builder.diagnostics
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = SourceRef(file, mark.line + 1, mark.column + 1) if mark is not None else SourceRef(file, 1, 1)
        problem = error.problem or error.context or "invalid YAML"
        builder.diagnostics.append(
            Diagnostic(
                "error", Code.YAML_SYNTAX, f"YAML syntax: {problem}", where, _syntax_hint(str(problem))
            )
        )
        return None, builder.diagnostics
    except (YAMLError, ValueError, IndexError, TypeError, AttributeError, KeyError, RecursionError) as error:
        # ruamel's reader raises non-marked errors for control characters and the like.
        where = _position(error, text, file)
        builder.diagnostics.append(
            Diagnostic(
                "error",
                Code.YAML_SYNTAX,
                f"YAML syntax: {_first_line(error)}",
                where,
                "check the file is plain YAML text",
            )
        )
        return None, builder.diagnostics
    if builder.root is None:
        builder.diagnostics.append(
            Diagnostic(
                "error",
                Code.MISSING_KEY,
                "the file is empty",
                SourceRef(file, 1, 1),
                "start a brand file with `brand: <key>` or a product with `product: <key>`",
            )
        )
    return builder.root, builder.diagnostics


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _position(error: Exception, text: str, file: str) -> SourceRef:
    position = getattr(error, "position", None)
    if isinstance(position, int) and 0 <= position <= len(text):
        before = text[:position]
        return SourceRef(file, before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1)
    return SourceRef(file, 1, 1)


def _syntax_hint(problem: str) -> str:
    if "tab" in problem or "\\t" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "put a space after ':' and quote values that contain ': '"
    if "could not find expected ':'" in problem:
        return "write `key: value`, with a space after ':'"
    if "found character" in problem and "cannot start any token" in problem:
        return "quote the value"
    return "check the indentation and quote values that contain ':', '#', '{' or '['"
