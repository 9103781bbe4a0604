"""Surgical edits of a product file's text: one attribute's `options:` or one `prices:` line replaced or
added, every other byte (comments, order, quoting, blank lines) left as the merchant wrote it.

The file is parsed for positions only (ruamel.yaml's events carry where each node starts and ends);
the new text is spliced in at the indentation of its neighbours.

>>> text = "attributes:\\n  wood:  # the top\\n    type: choice\\n    options: [oak]\\n    default: oak\\n"
>>> print(set_options(text, "wood", ["oak: {sku: OAK}"]), end="")
attributes:
  wood:  # the top
    type: choice
    options:
      oak: {sku: OAK}
    default: oak
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    MappingStartEvent,
    ScalarEvent,
)

from rules.errors import RulesError


class EditRefused(RulesError):
    """The file is written in a way an edit cannot keep (the message says what to change first)."""


@dataclass
class Span:
    """A node of the file: where its text starts and ends (character offsets), and its children."""

    start: int
    end: int
    kind: str  # scalar, mapping, sequence
    flow: bool = False
    value: str = ""
    items: list[tuple[Span, Span]] = field(default_factory=list)  # mapping: (key, value)
    children: list[Span] = field(default_factory=list)  # sequence

    def get(self, key: str) -> tuple[Span, Span] | None:
        """The key and value spans under `key` of a mapping."""
        return next(((k, v) for k, v in self.items if k.kind == "scalar" and k.value == key), None)


def parse_spans(text: str) -> Span | None:
    """The document's root node with positions; None for an empty document."""
    events = iter(YAML(typ="safe", pure=True).parse(text))
    root: Span | None = None
    for event in events:
        if isinstance(event, ScalarEvent | CollectionStartEvent | AliasEvent):
            root = _node(event, events)
            break
    return root


def _node(event: Event, stream: Iterator[Event]) -> Span:
    if isinstance(event, ScalarEvent):
        return Span(event.start_mark.index, event.end_mark.index, "scalar", value=str(event.value))
    if isinstance(event, AliasEvent):
        raise EditRefused("the file uses YAML aliases (*name): write the values out")
    assert isinstance(event, CollectionStartEvent)
    mapping = isinstance(event, MappingStartEvent)
    span = Span(event.start_mark.index, event.end_mark.index, "mapping" if mapping else "sequence")
    span.flow = bool(event.flow_style)
    pending: Span | None = None
    while True:
        following = next(stream)
        if isinstance(following, CollectionEndEvent):
            # A block collection's end event sits at the next token: it ends with its last child.
            last = (
                (span.items[-1][1] if span.items else None)
                if mapping
                else (span.children[-1] if span.children else None)
            )
            span.end = following.end_mark.index if span.flow or last is None else last.end
            return span
        child = _node(following, stream)
        if not mapping:
            span.children.append(child)
        elif pending is None:
            pending = child
        else:
            span.items.append((pending, child))
            pending = None


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """The end of the line a node ending at `index` ends on, its newline included."""
    if index > 0 and text[index - 1] == "\n":
        return index  # a block scalar (|) ends after its newline already
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _column(text: str, index: int) -> int:
    return index - _line_start(text, index)


def _trailing(text: str, index: int) -> str:
    """A comment after a node on its line (`  # note`), or ""."""
    rest = text[index : _line_end(text, index)].rstrip("\n")
    return rest if rest.strip().startswith("#") else ""


def _indent_unit(root: Span, text: str) -> int:
    """How far the file indents a nested mapping (2 in most files)."""
    attributes = root.get("attributes")
    if attributes is not None and attributes[1].kind == "mapping" and not attributes[1].flow:
        if attributes[1].items:
            step = _column(text, attributes[1].items[0][0].start) - _column(text, attributes[0].start)
            if step > 0:
                return step
    return 2


def _ensure_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _block(lines: Sequence[str], indent: int) -> str:
    return "".join(" " * indent + line + "\n" for line in lines)


def set_options(text: str, attribute: str, option_lines: Sequence[str], *, default: str | None = None) -> str:
    """`text` with the attribute's `options:` made of `option_lines` (each `key: {…}`): replaced where
    they are, added to the attribute, or the attribute added as a choice (with `default`)."""
    root = parse_spans(text)
    if root is None or root.kind != "mapping" or root.flow:
        raise EditRefused("the product file is not a YAML mapping in block style")
    unit = _indent_unit(root, text)
    attributes = root.get("attributes")
    if attributes is None:
        body = ["attributes:", *_indented(_new_attribute(attribute, option_lines, default), unit)]
        return _ensure_newline(text) + _block(body, 0)
    key, value = attributes
    if value.kind == "scalar" and value.value == "":
        new = _block(_new_attribute(attribute, option_lines, default), _column(text, key.start) + unit)
        end = _line_end(text, key.end)
        return _ensure_newline(text[:end]) + new + text[end:]
    if value.kind != "mapping" or value.flow:
        raise EditRefused("`attributes:` is written on one line: write it as a block, one attribute a line")
    found = value.get(attribute)
    indent = _column(text, value.items[0][0].start) if value.items else _column(text, key.start) + unit
    if found is None:
        end = _line_end(text, value.end)
        new = _block(_new_attribute(attribute, option_lines, default), indent)
        return _ensure_newline(text[:end]) + new + text[end:]
    attr_key, attr = found
    if attr.kind != "mapping":
        raise EditRefused(f"the attribute `{attribute}` is not a mapping: write it as `{{type: choice, …}}`")
    if attr.flow:
        return _unfold(text, attr_key, attr, option_lines, indent + unit)
    inner = _column(text, attr.items[0][0].start) if attr.items else indent + unit
    options = attr.get("options")
    if options is None:
        end = _line_end(text, attr.end)
        return (
            _ensure_newline(text[:end])
            + _block(["options:", *_indented(option_lines, unit)], inner)
            + text[end:]
        )
    options_key, options_value = options
    start = _line_start(text, options_key.start)
    if text[start : options_key.start].strip():
        raise EditRefused(f"the `options:` of `{attribute}` does not start its own line")
    # A comment on the `options:` line stays there: after a block's key, or after a value on one line.
    key_line_end = _line_end(text, options_key.end)
    after_key = text[options_key.end : key_line_end].lstrip(" :")
    comment = after_key.rstrip("\n") if after_key.startswith("#") else _trailing(text, options_value.end)
    end = _line_end(text, options_value.end)
    head = "options:" + (f"  {comment.strip()}" if comment else "")
    return text[:start] + _block([head, *_indented(option_lines, unit)], inner) + text[end:]


def _indented(lines: Sequence[str], by: int) -> list[str]:
    return [" " * by + line for line in lines]


def _new_attribute(attribute: str, option_lines: Sequence[str], default: str | None) -> list[str]:
    lines = [f"{attribute}:", "  type: choice", "  options:", *_indented(option_lines, 4)]
    if default is not None:
        lines.append(f"  default: {default}")
    return lines


def _unfold(text: str, key: Span, attr: Span, option_lines: Sequence[str], inner: int) -> str:
    """A flow attribute (`wood: {type: choice, options: [a, b]}`) rewritten as a block, its other
    fields as they were written, so that its options fit one a line."""
    lines: list[str] = []
    placed = False
    for field_key, field_value in attr.items:
        if field_key.value == "options":
            lines += ["options:", *_indented(option_lines, 2)]
            placed = True
        else:
            lines.append(
                f"{text[field_key.start : field_key.end]}: {text[field_value.start : field_value.end]}"
            )
    if not placed:
        lines += ["options:", *_indented(option_lines, 2)]
    before = text[: attr.start].rstrip(" ")
    after = text[attr.end :]
    comment = _trailing(text, attr.end)
    rest = after[len(comment) :] if comment else after
    head = before + (f"  {comment.strip()}" if comment else "")
    return head + "\n" + _block(lines, inner).rstrip("\n") + rest


# Writing values ----------------------------------------------------------------------------------------

_PLAIN_INSIDE = frozenset(" ._/'()&+-")
_MEASURE = re.compile(r"[0-9]+(\.[0-9]+)? [a-z]+")  # 12 kg, 6 weeks: a string to YAML, as docs write them
_RESERVED = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)"
)


def scalar(text: str) -> str:
    """A string as YAML writes it in a flow mapping: plain when nothing in it could be misread, else in
    double quotes.

    >>> scalar("Walnut"), scalar("Chêne clair"), scalar("yes"), scalar("12 kg"), scalar("a: b")
    ('Walnut', 'Chêne clair', '"yes"', '12 kg', '"a: b"')
    """
    plain = (
        text[:1].isalpha()
        and all(c.isalnum() or c in _PLAIN_INSIDE for c in text)
        and text == text.strip()
        and not _RESERVED.fullmatch(text)
    )
    if plain or _MEASURE.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(value: object) -> str:
    """A value (str, mapping, list) as YAML flow text, strings through `scalar`.

    >>> flow({"label": {"en": "Oak", "fr": "Chêne"}, "price": {"EUR": "2.00"}, "parts": [{"part": "X"}]})
    '{label: {en: Oak, fr: Chêne}, price: {EUR: "2.00"}, parts: [{part: X}]}'
    """
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, Raw):
        return value.text
    return scalar(str(value))


@dataclass(frozen=True)
class Raw:
    """Text written into a flow value as it is: a number, or a value kept as the file wrote it."""

    text: str


def quoted(text: str) -> Raw:
    """An amount or another string that must stay a string (`"2.00"`): always in double quotes."""
    return Raw(json.dumps(text, ensure_ascii=False))


def set_price_table(text: str, table: str, label: str) -> str:
    """`text` with a `prices:` line taking its amounts from the CSV file `table`, added at the end of
    `prices:` (or a new `prices:`); unchanged when a line names that file already."""
    root = parse_spans(text)
    if root is None or root.kind != "mapping" or root.flow:
        raise EditRefused("the product file is not a YAML mapping in block style")
    line = flow({"label": label, "table": table})
    prices = root.get("prices")
    if prices is None:
        unit = _indent_unit(root, text)
        return _ensure_newline(text) + _block(["prices:", " " * unit + "- " + line], 0)
    key, value = prices
    if value.kind == "scalar" and value.value == "":
        end = _line_end(text, key.end)
        return _ensure_newline(text[:end]) + _block(["- " + line], _column(text, key.start) + 2) + text[end:]
    if value.kind != "sequence" or value.flow:
        raise EditRefused("`prices:` is written on one line: write it as a list, one line per `- `")
    for item in value.children:
        named = item.get("table") if item.kind == "mapping" else None
        if named is not None and named[1].value == table:
            return text
    if value.children:
        first = value.children[0]
        prefix = text[_line_start(text, first.start) : first.start].rstrip()
        dash = len(prefix) - 1 if prefix.endswith("-") else _column(text, key.start)
    else:
        dash = _column(text, key.start)
    end = _line_end(text, value.end)
    return _ensure_newline(text[:end]) + _block(["- " + line], dash) + text[end:]
