"""The declarative description of an input form: fields, labels, types and the line table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ...text import Text, pick

if TYPE_CHECKING:
    from ...problems import Problem
    from ..form import Document

# A kind's own derivation and rules (see sales_sheets.rules): pure functions of the document and
# what they may ask the ledger (a rules.Context, declared there: forms come before rules).
Derivation = Callable[["Document", Any], "Document"]
Check = Callable[["Document", Any], "list[Problem]"]
# (the ledger's answers, a rules.hold_facts.FactsSource; the stored `documents` row; language)
# -> rules.facts.HoldFacts: what an approver weighs about a held document of the kind.
HoldFactsRule = Callable[[Any, Mapping[Any, Any], str], Any]


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
    DOCUMENT = "document"  # a stored document's id: derived only, never on a form


class Ref(StrEnum):
    """Master data a code field must exist in."""

    CUSTOMER = "customer"
    PRODUCT = "product"
    SALESPERSON = "salesperson"


class Offer(StrEnum):
    """A drop-down list that is not every record of one kind of master data: what a field
    offers to pick from when it has no `ref`, or when that is not every record of its `ref`.
    Made from the ledger's documents (open orders), from its master data in another shape
    (budget owners) or from the settings (expense categories); `Books.drop_down_lists` makes
    each, for the template, `api.write_template` and the add-in's refresh alike."""

    OPEN_ORDERS = "open_orders"  # accepted orders not yet fully delivered
    OPEN_ORDER_PRODUCTS = "open_order_products"  # the products still to deliver on them
    BUDGET_OWNERS = "budget_owner"  # the salespeople, then the regions
    EXPENSE_CATEGORIES = "expense_category"  # [expenses] categories of config.toml


class Output(StrEnum):
    """A file an accepted version of a document gets beside its acknowledgement."""

    CONTRACT = "contract"
    INVOICE_NOTICE = "invoice_notice"
    QUOTE = "quote"  # the formal 报价单 for the customer


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
    # What the template's drop-down lists, when not every record of `ref` or the field has no
    # `ref` (see Offer): the kind's rules check the value.
    offers: Offer | None = None
    # The kind of document this code numbers (a delivery's order_no names an order): storing
    # the document waits for that one's lock, as a new version of it would.
    refers_to: str | None = None
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
    def list_source(self) -> Ref | Offer | None:
        """Where the field's drop-down list comes from: what it offers, else its master data."""
        return self.offers or self.ref

    @property
    def all_labels(self) -> tuple[str, ...]:
        return (self.zh, self.en, self.key, *self.aliases)


@dataclass(frozen=True)
class Kind:
    """One input form, declared once: every stage reads this, none asks for a kind by name.

    `identity` names the header fields that identify a document so that a later file with the
    same identity supersedes the earlier one; an empty identity means every file is its own
    document (receipts, master data). How it is stored: its header fields in `header_table`
    (none: a kind without one keeps no header), its lines in `table`, each with the values the
    ledger derives (`derived_header`, `derived_columns`) and the indexes its queries need.
    `approvable` names the header field by which an approval form (审批单) names a held
    document of this kind, and `hold_facts` says what its approver weighs; a kind that
    `decides` is such an approval form. `writes` lists the files an accepted version gets.
    `derive` fills in what the form leaves to us and `check` holds the kind's own rules, after
    those every kind shares. `serialised_by` names header fields besides the customer codes
    whose value no two transactions may judge at once (a salesperson's expense budget).

    A kind without a line table (`table` None, no `columns`: a registration such as 开票登记,
    one fact a form) is all header: its template has no table, its reader finds it by its
    header fields, and the ledger keeps it in its `header_table` alone."""

    name: str
    zh: str
    en: str
    version: int
    header: tuple[Field, ...]
    table: str | None = None
    columns: tuple[Field, ...] = ()
    line_key: tuple[str, ...] = ()
    identity: tuple[str, ...] = ()
    master: bool = False
    priority: int = 50
    instructions_zh: tuple[str, ...] = ()
    instructions_en: tuple[str, ...] = ()
    # Blanks printed under the header fields for a hand to sign and date (an approver's): not
    # fields, nothing is read from them.
    sign_off: tuple[Text, ...] = ()
    owner_field: str | None = "salesperson"
    lines_required: bool = True  # an approval form may have no lines (a standing approval)
    # The header fields that name a document to people, when not its identity: the first set
    # whose first field is filled, else the last (an approval form is named by what it decides).
    named_by: tuple[tuple[str, ...], ...] = ()
    header_table: str | None = None
    derived_header: tuple[Field, ...] = ()
    derived_columns: tuple[Field, ...] = ()
    header_indexes: tuple[tuple[str, ...], ...] = ()
    line_indexes: tuple[tuple[str, ...], ...] = ()
    unique_columns: tuple[str, ...] = ()  # each unique over all lines of every document
    approvable: str | None = None
    decides: bool = False
    writes: tuple[Output, ...] = ()
    derive: Derivation | None = None
    check: Check | None = None
    hold_facts: HoldFactsRule | None = None
    serialised_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A header-only kind still needs somewhere to keep its documents.
        if self.table is None and (self.columns or self.header_table is None):
            raise ValueError(f"kind {self.name!r}: without a line table it needs a header_table "
                             "and no columns")

    @property
    def has_lines(self) -> bool:
        """Whether the form has a line table (a header-only kind has none)."""
        return self.table is not None

    @property
    def tables(self) -> tuple[str, ...]:
        """The ledger tables the kind's documents are kept in: its header's, then its lines'."""
        if self.master:
            return (self.table,) if self.table else ()
        return tuple(filter(None, (self.header_table, self.table)))

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

    def describe(self, header: Mapping[str, object]) -> str:
        """How people name the document with this header: its number, week or period."""
        *choices, last = self.named_by or (self.identity,)
        keys = next((keys for keys in choices if header.get(keys[0])), last)
        return " ".join(str(header.get(k) or "") for k in keys).strip()


YES_NO = (Choice("Y", "是", "Yes"), Choice("N", "否", "No"))
