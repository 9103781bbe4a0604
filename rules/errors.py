"""Diagnostics and the exceptions that carry them: what the language reports to merchants."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from rules.source import SourceRef

Severity = Literal["error", "warning", "info"]


class Code(StrEnum):
    """Stable machine-readable diagnostic codes (the message text may change, these do not)."""

    # files and YAML safety
    FILE_MISSING = "file-missing"
    FILE_UNREADABLE = "file-unreadable"
    FILE_TOO_LARGE = "file-too-large"
    FILE_IGNORED = "file-ignored"
    ENCODING = "encoding"
    YAML_SYNTAX = "yaml-syntax"
    YAML_TAG = "yaml-tag"
    YAML_ALIAS = "yaml-alias"
    YAML_TOO_DEEP = "yaml-too-deep"
    YAML_DUPLICATE_KEY = "yaml-duplicate-key"
    YAML_DOCUMENTS = "yaml-documents"
    # structure of the files
    UNKNOWN_KEY = "unknown-key"
    MISSING_KEY = "missing-key"
    WRONG_TYPE = "wrong-type"
    BAD_VALUE = "bad-value"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    # meaning
    UNKNOWN_NAME = "unknown-name"
    TYPE_MISMATCH = "type-mismatch"
    EXPR_SYNTAX = "expr-syntax"
    BAD_MONEY = "bad-money"
    BAD_CURRENCY = "bad-currency"
    BAD_DEFAULT = "bad-default"
    BAD_TABLE = "bad-table"
    CYCLE = "cycle"
    CONSTANT_RULE = "constant-rule"
    RULE_TOO_WIDE = "rule-too-wide"
    PRODUCT_TOO_LARGE = "product-too-large"
    UNREACHABLE = "unreachable"
    MISSING_TRANSLATION = "missing-translation"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a catalog file, with where it is and what to write instead."""

    severity: Severity
    code: str
    message: str
    source: SourceRef | None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source is not None else ""
        text = f"{where}{self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class RulesError(Exception):
    """Root of every error the rules package raises on purpose."""


class CatalogError(RulesError):
    """A catalog (or one of its files) cannot be loaded; `diagnostics` lists every error found."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.diagnostics)
        head = f"{count} error{'s' if count != 1 else ''} in the catalog"
        return "\n".join([head, *(str(d) for d in self.diagnostics)])


class ExpressionError(RulesError):
    """An expression does not parse; carries the diagnostic (with the exact column of the token)."""

    def __init__(self, diagnostic: Diagnostic, offset: int) -> None:
        self.diagnostic = diagnostic
        self.offset = offset  # 0-based index into the expression text
        super().__init__(str(diagnostic))


class EvaluationError(RulesError):
    """An expression cannot be evaluated on a design (division by zero, a missing attribute...)."""

    def __init__(self, message: str, source: SourceRef | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source is not None else message)
