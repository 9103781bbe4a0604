"""Where a catalog's text was written, and how long a number in it may be: what the model, the
expression language and the diagnostics all point with."""

from __future__ import annotations

from dataclasses import dataclass

# The longest number a catalog may write, in characters (YAML scalars and rule expressions alike): 50
# digits hold any amount or measure a shop needs, and a longer literal would cost Python's `int` a
# quadratic conversion before it is even checked (CPython refuses 4,300 digits and more outright).
MAX_NUMBER_LENGTH = 50


@dataclass(frozen=True)
class SourceRef:
    """Where something was written: 1-based line and column, as editors show them."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"
