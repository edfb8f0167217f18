"""Anchoring the audit log's head: signed checkpoints, kept outside the log.

The hash chain (``app.audit``) shows any event changed or removed in the middle, but not
the last events removed: what is left is still a perfect chain. A checkpoint records the
chain's length and head hash at a moment, signed with the organisation's key; it is written
at least hourly (``app.worker``) and with every issued PDF (``app.documents.issued``), into
an append-only table and an append-only file. ``flask audit verify`` checks the chain
against them.
"""

from app.anchor.checkpoints import (
    HOURLY,
    append_missing_lines,
    document_reason,
    take_checkpoint,
    write_checkpoint,
)
from app.anchor.verification import Anchor, AnchorReport, verify_anchors

__all__ = [
    "HOURLY",
    "Anchor",
    "AnchorReport",
    "append_missing_lines",
    "document_reason",
    "take_checkpoint",
    "verify_anchors",
    "write_checkpoint",
]
