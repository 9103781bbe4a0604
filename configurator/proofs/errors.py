"""Errors of the proofs domain."""

from __future__ import annotations

from configurator.errors import NotFound


class ProofNotFound(NotFound):
    """No such proof for this order (unknown line or name, not rendered yet, or its file is gone)."""

    title = "Proof not found"
