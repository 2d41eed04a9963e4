"""The declarative description of an input form: fields, labels, types and the line table."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from enum import StrEnum

from ...text import Text, pick


class FieldType(StrEnum):
    TEXT = "text"
    CODE = "code"
    MONEY = "money"
    QUANTITY = "quantity"
    INTEGER = "integer"
    DATE = "date"
    YESNO = "yesno"
    ENUM = "enum"
    PERIOD = "period"
    RATE = "rate"


class Ref(StrEnum):
    """Master data a code field must exist in."""

    CUSTOMER = "customer"
    PRODUCT = "product"
    SALESPERSON = "salesperson"


@dataclass(frozen=True)
class Choice:
    value: str
    zh: str
    en: str

    def label(self, language: str) -> str:
        return pick(language, self.zh, self.en)


@dataclass(frozen=True)
class Field:
    key: str
    zh: str
    en: str
    type: FieldType = FieldType.TEXT
    # The rest by name: `True` alone in a field list would not say what it switches on.
    _: KW_ONLY
    required: bool = False
    ref: Ref | None = None
    choices: tuple[Choice, ...] = ()
    aliases: tuple[str, ...] = ()
    width: int = 14
    hint_zh: str = ""
    hint_en: str = ""

    @property
    def text(self) -> Text:
        """The label in both languages."""
        return Text(self.zh, self.en)

    def label(self, language: str) -> str:
        return pick(language, self.zh, self.en)

    def hint(self, language: str) -> str:
        return pick(language, self.hint_zh, self.hint_en)

    @property
    def all_labels(self) -> tuple[str, ...]:
        return (self.zh, self.en, self.key, *self.aliases)


@dataclass(frozen=True)
class Kind:
    """One input form. `identity` names the header fields that identify a document so that a
    later file with the same identity supersedes the earlier one; an empty identity means every
    file is its own document (receipts, master data)."""

    name: str
    zh: str
    en: str
    version: int
    header: tuple[Field, ...]
    table: str
    columns: tuple[Field, ...]
    line_key: tuple[str, ...] = ()
    identity: tuple[str, ...] = ()
    master: bool = False
    priority: int = 50
    instructions_zh: tuple[str, ...] = ()
    instructions_en: tuple[str, ...] = ()
    owner_field: str | None = "salesperson"
    lines_required: bool = True  # an approval form may have no lines (a standing approval)

    def title(self, language: str) -> str:
        return pick(language, self.zh, self.en)

    def instructions(self, language: str) -> tuple[str, ...]:
        return pick(language, self.instructions_zh, self.instructions_en)

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.header + self.columns

    def column(self, key: str) -> Field:
        return next(f for f in self.columns if f.key == key)

    def header_field(self, key: str) -> Field:
        return next(f for f in self.header if f.key == key)


YES_NO = (Choice("Y", "是", "Yes"), Choice("N", "否", "No"))
