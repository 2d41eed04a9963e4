"""What became of a file or a stored document: the words the ledger, receipts and JSON carry."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A StrEnum, so the ledger's stored text, file names and `--json` output stay the plain
    words; `accepted`, `held`, `declined` (an approver said no) and `superseded` are a
    document's states, `rejected` and `duplicate` only a file's (nothing of such a file is
    stored)."""

    ACCEPTED = "accepted"
    HELD = "held"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"
    DECLINED = "declined"



# A document's versions that still count: stored, and not yet replaced by a later version.
CURRENT = (Status.ACCEPTED, Status.HELD)
