"""What became of a file or a stored document: the codes the ledger and JSON carry, and the one
table of the words every acknowledgement, report, message and command says for them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .text import Text


class Status(StrEnum):
    """A StrEnum, so the ledger's stored text, file names and `--json` output stay the plain
    words; `accepted`, `held`, `declined` (an approver said no) and `superseded` are a
    document's states, `rejected` and `duplicate` only a file's (nothing of such a file is
    stored). What a person reads is `word(language)` or, about one file, `outcome(language)`,
    both from WORDS below."""

    ACCEPTED = "accepted"
    HELD = "held"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"
    DECLINED = "declined"

    @property
    def text(self) -> Text:
        """The status's name in both languages."""
        return WORDS[self].word

    def word(self, language: str) -> str:
        """The status's name: in a count, a report's column, a message naming a document's
        state."""
        return self.text(language)

    def outcome(self, language: str) -> str:
        """What an acknowledgement and `process` say became of a file: the name, with what it
        means for the sender where the name alone does not tell (a held file was received, a
        duplicate changed nothing)."""
        words = WORDS[self]
        return (words.outcome or words.word)(language)


@dataclass(frozen=True, slots=True)
class StatusWords:
    word: Text
    outcome: Text | None = None  # None: the word says it


# The one table. A sales office reads 待审批 for a held document (the report's sheet, the
# severity and `status` say so too); 已被新版本替代 says what became of an old version without
# the 已作废 that reads like a cancellation.
WORDS: dict[Status, StatusWords] = {
    Status.ACCEPTED: StatusWords(Text("已接收", "accepted")),
    Status.HELD: StatusWords(Text("待审批", "held for approval"),
                             outcome=Text("已接收，待审批", "held for approval")),
    Status.REJECTED: StatusWords(Text("退回修改", "rejected")),
    Status.DUPLICATE: StatusWords(Text("重复提交", "duplicate"),
                                  outcome=Text("重复提交，未作改动", "duplicate, nothing changed")),
    Status.SUPERSEDED: StatusWords(Text("已被新版本替代", "superseded")),
    Status.DECLINED: StatusWords(Text("已否决", "declined")),
}


# A document's versions that still count: stored, and not yet replaced by a later version.
CURRENT = (Status.ACCEPTED, Status.HELD)


class ReplyStatus(StrEnum):
    """Where an issued 对账函 stands (spec 4b): sent and not yet due, answered (agreed or
    disputed, by its current 对账回函), or overdue: no reply by the reply-by day."""

    SENT = "sent"
    AGREED = "agreed"
    DISPUTED = "disputed"
    OVERDUE = "overdue"

    def word(self, language: str) -> str:
        return REPLY_WORDS[self](language)


REPLY_WORDS: dict[ReplyStatus, Text] = {
    ReplyStatus.SENT: Text("已发出", "sent"),
    ReplyStatus.AGREED: Text("核对相符", "agreed"),
    ReplyStatus.DISPUTED: Text("核对不符", "disputed"),
    ReplyStatus.OVERDUE: Text("逾期未回", "overdue"),
}
