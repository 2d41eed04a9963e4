"""Settings declared as data and loaded from a workspace's config.toml.

Unknown keys and wrong types are reported with the file, the key and a hint, never ignored.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import types
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

from .errors import ConfigError
from .text import LANGUAGES

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S", bound="DataclassInstance")


@dataclass(frozen=True)
class Company:
    name: str = "示例机械制造有限公司"
    address: str = "浙江省杭州市余杭区文一西路 1000 号"
    tax_id: str = "91330110MA2XXXXXX1"
    bank: str = "中国工商银行杭州余杭支行"
    bank_account: str = "1202 0000 0000 0000 000"
    representative: str = "王建国"
    phone: str = "0571-8888 0000"


@dataclass(frozen=True)
class Database:
    url: str = "sqlite:///ledger.sqlite"


@dataclass(frozen=True)
class Watch:
    polling: bool = False
    poll_interval: float = 1.0
    stable_seconds: float = 0.3
    rescan_seconds: float = 30.0
    report_seconds: float = 5.0
    lease_seconds: float = 10.0
    log_file: str = ""
    log_max_mb: float = 5.0
    log_backups: int = 5
    max_wait_minutes: float = 15.0


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 100.0
    max_unzipped_mb: float = 1000.0
    max_compression_ratio: float = 200.0
    max_cells: int = 10_000_000


@dataclass(frozen=True)
class Documents:
    contracts: bool = True
    invoices: bool = True
    pdf: bool = True
    uno_python: str = ""
    # Deprecated: `[statements] reply_by_day` replaces it. Still read, so that a config.toml
    # written by an earlier release loads; it counts only where that key is not set.
    reply_day: int | None = None


@dataclass(frozen=True)
class Statements:
    """The quarterly 对账函 and the customer's reply (对账回函)."""

    # The reply is due by this day of the month after the statement period (clamped to that
    # month's length); a statement with no reply after it is overdue.
    reply_by_day: int = 15


@dataclass(frozen=True)
class Access:
    """Who may submit what; present only when the [access] section is."""

    submit_for_others: tuple[str, ...] = ()
    master_data: tuple[str, ...] = ()


@dataclass(frozen=True)
class Approvals:
    """Who may approve what; present only when the [approvals] section is. A reason with no
    list may be approved by anyone; returns are held for approval only when `returns` names
    someone. Limits are per approver: a discount (percent off the list price) or an excess over
    the credit limit (yuan) beyond them needs someone else."""

    price: tuple[str, ...] = ()
    overdue: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()
    expense: tuple[str, ...] = ()
    quote: tuple[str, ...] = ()  # set: every quotation waits for one of them (the GM)
    discount_limits: dict[str, float] = field(default_factory=dict)
    excess_limits: dict[str, float] = field(default_factory=dict)
    max_excess: dict[str, float] = field(default_factory=dict)  # expense claims, yuan

    def approvers(self, reason: str) -> tuple[str, ...]:
        """Who may approve `reason` (price, overdue, credit, return, expense, quote); ()
        means anyone."""
        return {"price": self.price, "overdue": self.overdue, "credit": self.credit,
                "return": self.returns, "expense": self.expense, "quote": self.quote}[reason]


DEFAULT_EXPENSE_CATEGORIES = ("差旅费", "业务招待费", "市场推广费", "交通费", "通讯费", "其他")


@dataclass(frozen=True)
class Expenses:
    """Expense budgets and claims (费用): the categories a budget and a claim may name, and
    the largest amount of one claim line per category (yuan; none: no cap)."""

    categories: tuple[str, ...] = DEFAULT_EXPENSE_CATEGORIES
    caps: dict[str, float] = field(default_factory=dict)


# A complaint's severities (客户投诉: 一般 / 重要 / 紧急): the value the ledger keeps and the word
# people write; `[complaints.days]` may name either.
COMPLAINT_SEVERITIES = (("normal", "一般", "Normal"), ("important", "重要", "Important"),
                        ("urgent", "紧急", "Urgent"))


@dataclass(frozen=True)
class Complaints:
    """Customer complaints (客户投诉): the days to resolve one, by severity, counted from the day
    it was received, where the form gives no due date."""

    days: dict[str, float] = field(
        default_factory=lambda: {"normal": 7.0, "important": 3.0, "urgent": 1.0})

    def days_for(self, severity: str) -> int:
        """The days a complaint of `severity` (a kept value) has; one without a severity is
        normal."""
        return int(self.days.get(severity or "normal", self.days.get("normal", 7.0)))


@dataclass(frozen=True)
class Quotes:
    """Quotations (报价单): with `single_use`, the orders naming a quotation take at most its
    quantities at its prices; without, it serves any number of orders until it expires."""

    single_use: bool = False
# The metrics an appraisal scores, as `[appraisal.weights]` names them.
APPRAISAL_METRICS = ("achievement", "collection", "new_customers", "visits", "expenses")


@dataclass(frozen=True)
class Tier:
    """A commission tier: from this 计划达成率 (percent, inclusive) up to the next tier's, this
    rate (percent) of the period's receipts."""

    at_least: float = 0.0
    rate: float = 0.0


@dataclass(frozen=True)
class Appraisal:
    """The quarter's 绩效考核: each metric's weight (percentage points, adding up to 100), the
    费用率 that still earns full points (percent of receipts), and the commission tiers."""

    weights: dict[str, float] = field(default_factory=lambda: {
        "achievement": 40.0, "collection": 30.0, "new_customers": 10.0, "visits": 10.0,
        "expenses": 10.0})
    expense_ratio_limit: float = 5.0
    commission: tuple[Tier, ...] = (Tier(80.0, 1.0), Tier(100.0, 1.5))


@dataclass(frozen=True)
class EmailChannel:
    """An SMTP server to send mail through; the password is read from the environment variable
    named by `password_env`, never written here."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls, ssl or none
    username: str = ""
    password_env: str = ""
    sender: str = ""
    timeout: float = 10.0


@dataclass(frozen=True)
class RobotChannel:
    """A group robot's webhook (企业微信, 钉钉, 飞书): its URL and signing secret are read from
    the environment variables named here."""

    webhook_env: str = ""
    secret_env: str = ""


@dataclass(frozen=True)
class NotifyEvents:
    """Which events tell people; all on by default."""

    file_rejected: bool = True
    file_held: bool = True
    approval_decided: bool = True
    approval_waiting: bool = True
    approval_reminder: bool = True
    statements_ready: bool = True
    statement_reply_overdue: bool = True
    standing_approval_due: bool = True
    visit_record_missing: bool = True
    report_ready: bool = True
    complaint_overdue: bool = True
    notification_dead: bool = True


@dataclass(frozen=True)
class Notify:
    """How people are told. Without a channel, messages go to the console channel (the log)."""

    remind_after_days: int = 2
    max_attempts: int = 8
    retry_seconds: float = 60.0  # the first wait before a retry; it doubles each time
    # Who is told of the month's report and the quarter's statements (the director, the
    # assistant), and who of a message given up: codes or names from the roster, or addresses.
    office: tuple[str, ...] = ()
    administrators: tuple[str, ...] = ()
    email: EmailChannel | None = None
    wecom: RobotChannel | None = None
    dingtalk: RobotChannel | None = None
    feishu: RobotChannel | None = None
    events: NotifyEvents = field(default_factory=NotifyEvents)


@dataclass(frozen=True)
class Schedule:
    """The department's calendar, run by `watch` or by `sales-sheets schedule run --due`."""

    enabled: bool = True
    timezone: str = "Asia/Shanghai"
    hour: int = 8  # the hour of the day (in `timezone`) at which a day's jobs fall due
    off: tuple[str, ...] = ()  # jobs not to run
    holidays: tuple[str, ...] = ()  # weekdays that are not working days, e.g. "2027-01-01"
    workdays: tuple[str, ...] = ()  # weekend days that are working days (调休), e.g. "2027-02-07"


class Basis(StrEnum):
    """The day a receivable runs from, and for which value ([receivables] basis)."""

    ORDER = "order"  # the order's date, for its total
    DELIVERY = "delivery"  # each delivery's date, for the value delivered
    INVOICE = "invoice"  # each invoice's date, for the amount invoiced


@dataclass(frozen=True)
class Receivables:
    basis: str = Basis.ORDER


@dataclass(frozen=True)
class Settings:
    language: str = "zh"
    company: Company = field(default_factory=Company)
    database: Database = field(default_factory=Database)
    watch: Watch = field(default_factory=Watch)
    limits: Limits = field(default_factory=Limits)
    documents: Documents = field(default_factory=Documents)
    statements: Statements = field(default_factory=Statements)
    access: Access | None = None
    approvals: Approvals | None = None
    expenses: Expenses = field(default_factory=Expenses)
    complaints: Complaints = field(default_factory=Complaints)
    quotes: Quotes = field(default_factory=Quotes)
    appraisal: Appraisal = field(default_factory=Appraisal)
    notify: Notify = field(default_factory=Notify)
    schedule: Schedule = field(default_factory=Schedule)
    receivables: Receivables = field(default_factory=Receivables)


def load_settings(path: Path) -> Settings:
    """Read config.toml; a missing file gives the defaults."""
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    settings = settings_from_table(Settings, data, path, "")
    unknown = set(settings.expenses.caps) - set(settings.expenses.categories)
    if unknown:
        raise ConfigError(f"{path}: [expenses.caps] names {', '.join(sorted(unknown))}, not "
                          f"among [expenses] categories")
    settings = dataclasses.replace(
        settings, complaints=_complaint_days(data.get("complaints", {}).get("days"), path))
    _check_appraisal(settings.appraisal, path)
    old_day = settings.documents.reply_day
    if old_day is not None and "reply_by_day" not in data.get("statements", {}):
        # An earlier release's [documents] reply_day, where [statements] does not say.
        settings = dataclasses.replace(settings, statements=Statements(reply_by_day=old_day))
    if settings.language not in LANGUAGES:
        raise ConfigError(
            f"{path}: language = {settings.language!r}; use one of {', '.join(LANGUAGES)}"
        )
    if settings.receivables.basis not in tuple(Basis):
        raise ConfigError(
            f"{path}: receivables.basis = {settings.receivables.basis!r}; use one of "
            f"{', '.join(tuple(Basis))}"
        )
    return settings


def _complaint_days(days: dict[str, Any] | None, path: Path) -> Complaints:
    """`[complaints.days]` by the kept severity values, the defaults for those not named; its
    keys may be the values or the Chinese words, its days whole and not negative."""
    names = {word: value for value, zh, _ in COMPLAINT_SEVERITIES for word in (value, zh)}
    found = dict(Complaints().days)
    for key, number in (days or {}).items():
        if key not in names:
            raise ConfigError(f"{path}: [complaints.days] names {key!r}, not a severity; use "
                              f"{', '.join(zh for _, zh, _ in COMPLAINT_SEVERITIES)}")
        if number != int(number) or number < 0:
            raise ConfigError(f"{path}: [complaints.days] {key} = {number:g}; give whole days, "
                              f"0 or more")
        found[names[key]] = number
    return Complaints(found)
def _check_appraisal(appraisal: Appraisal, path: Path) -> None:
    unknown = sorted(set(appraisal.weights) - set(APPRAISAL_METRICS))
    if unknown:
        raise ConfigError(f"{path}: [appraisal.weights] names {', '.join(unknown)}; the "
                          f"metrics are {', '.join(APPRAISAL_METRICS)}")
    if any(weight < 0 for weight in appraisal.weights.values()):
        raise ConfigError(f"{path}: [appraisal.weights] must not be negative")
    total = sum(appraisal.weights.values())
    if abs(total - 100) > 1e-9:
        raise ConfigError(
            f"{path}: [appraisal.weights] add up to {total:g}; they are percentage points "
            f"and must add up to 100 (e.g. achievement = 40, collection = 30)")
    if appraisal.expense_ratio_limit <= 0:
        raise ConfigError(f"{path}: appraisal.expense_ratio_limit must be above 0 (percent of "
                          f"receipts, e.g. 5)")
    floors = [tier.at_least for tier in appraisal.commission]
    if any(b <= a for a, b in zip(floors, floors[1:], strict=False)) or any(
            f < 0 for f in floors):
        raise ConfigError(f"{path}: [[appraisal.commission]] tiers must go up by at_least "
                          f"(percent of plan achieved, from 0), e.g. 80 then 100")
    if any(tier.rate < 0 for tier in appraisal.commission):
        raise ConfigError(f"{path}: [[appraisal.commission]] rate must not be negative "
                          f"(percent of receipts, e.g. 1.5)")


def settings_from_table(cls: type[S], data: dict[str, Any], path: Path, prefix: str) -> S:
    """An instance of the settings dataclass `cls` from a parsed TOML table; unknown keys and
    wrong types are ConfigErrors naming `path` and the key."""
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        if key not in names:
            near = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else f" (known: {', '.join(names)})"
            raise ConfigError(f"{path}: unknown setting {prefix}{key}{hint}")
    values: dict[str, Any] = {}
    for name in names:
        if name not in data:
            continue
        hint = hints[name]
        if isinstance(hint, types.UnionType):
            hint = next(t for t in hint.__args__ if t is not type(None))
        values[name] = _coerce(hint, data[name], path, prefix + name)
    return cls(**values)


def _coerce(target: Any, value: Any, path: Path, key: str) -> Any:
    if isinstance(target, type) and dataclasses.is_dataclass(target):
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: [{key}] must be a section")
        return settings_from_table(target, value, path, key + ".")
    origin = getattr(target, "__origin__", None)
    item = target.__args__[0] if origin is tuple else None
    if isinstance(item, type) and dataclasses.is_dataclass(item):
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of tables, written [[{key}]]")
        return tuple(settings_from_table(item, v, path, f"{key}[{n}].")
                     for n, v in enumerate(value, start=1))
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of strings, e.g. [\"S01\"]")
        return tuple(value)
    if origin is dict:
        if not isinstance(value, dict) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()):
            raise ConfigError(f"{path}: [{key}] must map codes to numbers, e.g. S01 = 5")
        return {str(k): float(v) for k, v in value.items()}
    if target is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, target) or (target is not bool and isinstance(value, bool)):
        raise ConfigError(
            f"{path}: {key} must be a {target.__name__}, not {type(value).__name__} ({value!r})"
        )
    return value


CONFIG_TEMPLATE = """\
# sales-sheets workspace settings. Every key is optional; the values shown are the defaults.

# Language of forms, messages, acknowledgements and reports: "zh" (中文) or "en".
language = "zh"

# The seller printed on contracts and statements.
[company]
name = "示例机械制造有限公司"
address = "浙江省杭州市余杭区文一西路 1000 号"
tax_id = "91330110MA2XXXXXX1"
bank = "中国工商银行杭州余杭支行"
bank_account = "1202 0000 0000 0000 000"
representative = "王建国"
phone = "0571-8888 0000"

[database]
# SQLAlchemy URL of the ledger. A relative SQLite path is relative to this workspace.
url = "sqlite:///ledger.sqlite"

[watch]
# Poll the inbox instead of waiting for change events. Turn this on for network shares
# (SMB/NFS): changes made by other machines raise no events there.
polling = false
poll_interval = 1.0
# A file is read once it is closed, or its size and time stayed unchanged this long (seconds).
stable_seconds = 0.3
# Full rescan of the inbox, in case change events were lost (seconds).
rescan_seconds = 30.0
# After a batch of files, the current month's summary workbook is refreshed once things have
# been quiet this long (seconds).
report_seconds = 5.0
# A claimed file belongs to its watcher while the watcher's heartbeat in the ledger is younger
# than this (seconds); the watcher renews it every third of it. Several watchers may share one
# inbox: a watcher that died has its files taken over by another at its next rescan after that.
lease_seconds = 10.0
# Also write a log to this file (relative to this workspace, e.g. "logs/watch.log"): one line
# per file (time, file, kind, status, document, seconds taken) plus warnings and errors. It is
# rotated once it passes log_max_mb, keeping log_backups older files (watch.log.1, .2, ...).
# Several watchers on one share: give each its own file (`watch --log-file`). Empty: no file.
log_file = ""
log_max_mb = 5.0
log_backups = 5
# `sales-sheets status --check` fails (exit 5) once a file has waited in the inbox longer than
# this (minutes), and (exit 4) when no watcher of this inbox is alive.
max_wait_minutes = 15.0

[limits]
# Files larger than this, or expanding beyond it, are refused (zip bombs).
max_file_mb = 100.0
max_unzipped_mb = 1000.0
max_compression_ratio = 200.0
# A sheet spanning more cells than this (rows x columns, empty ones included) is refused.
max_cells = 10000000

[documents]
# Write the sales contract of every order as it is accepted. Turn off while importing a backlog
# of old orders; `sales-sheets contract ORDER_NO` writes one on demand.
contracts = true
# Write the invoice notice (开票通知单) of every order as it is accepted or released, for finance
# to issue the VAT invoice from. Turn off too while importing a backlog.
invoices = true
# Also write a PDF beside every contract and letter when LibreOffice (soffice) is installed.
# One LibreOffice kept running converts them in the background, so intake does not wait.
pdf = true
# The Python that runs that LibreOffice's converter must be able to `import uno`; found by
# itself (LibreOffice's own on Windows, /usr/bin/python3 with python3-uno on Debian/Ubuntu).
# Set its path here when it is elsewhere.
# uno_python = "C:/Program Files/LibreOffice/program/python.exe"

[statements]
# Customers are asked to return the signed reconciliation letter (对账函) by this day of the
# month after the statement period; a statement with no reply (对账回函) by then is overdue,
# and the office is told once (statement_reply_overdue).
reply_by_day = 15

[receivables]
# The day a receivable runs from (its due date is that day + the customer's payment days), and
# for which value: "order" (the order's date, its total), "delivery" (each delivery's date, the
# value delivered) or "invoice" (each invoice's date, the amount invoiced). Ageing, the overdue
# hold, credit use, statements and the 对账函 all count on it.
basis = "order"

# Uncomment to enforce who may submit what. Without this section anyone may drop anything.
# Each person then drops files into inbox/<their code>/; files at the inbox root are refused.
# [access]
# submit_for_others = ["A01"]   # assistants and finance who may file for any salesperson
# master_data = ["A01"]         # who may submit customers, products and salespeople

# Uncomment to decide who may approve held documents (审批). Without this section anyone may
# approve anything, and `sales-sheets status` says so. Each reason lists the codes that may
# approve it, in the order requests are routed (outbox/approvals/<code>/): the first one whose
# limits cover the document gets the request. A reason left out may be approved by anyone;
# returns wait for approval only when `returns` names someone.
# [approvals]
# price = ["M01", "D01"]        # a unit price below the list price (优惠价格审批)
# overdue = ["M01", "D01"]      # shipping to a customer with overdue receivables (逾期客户发货审批)
# credit = ["D01"]              # balance + order above the credit limit (客户授信审批)
# returns = ["M01"]             # returns (退货申请)
# expense = ["M01", "D01"]      # an expense claim over budget or above a cap (费用报销审批)
# quote = ["G01"]               # every quotation (报价单), signed off by the general manager
# [approvals.discount_limits]   # the largest discount, in percent off the list price
# M01 = 5
# [approvals.excess_limits]     # the largest excess over the credit limit, in yuan
# M01 = 50000
# [approvals.max_excess]        # the largest excess of an expense claim over budget and caps,
# M01 = 2000                    # in yuan

# Expenses (费用预算 and 费用报销单): the categories budgets and claims use (the drop-down of both
# templates), and the largest amount one claim line of a category may have (yuan) before the
# claim waits for approval (over_cap). A claim taking a salesperson's month over its budget in
# a category waits too (over_budget).
[expenses]
categories = ["差旅费", "业务招待费", "市场推广费", "交通费", "通讯费", "其他"]
# [expenses.caps]
# 业务招待费 = 2000

# Customer complaints (客户投诉): the days to resolve one, by severity (一般 / 重要 / 紧急),
# counted from the day it was received, where the form gives no due date. An open complaint
# past its due date is told to its salesperson and their manager (complaint_overdue).
[complaints.days]
"一般" = 7
"重要" = 3
"紧急" = 1

# Quotations (报价单): an order naming a quotation (quote_no) of its customer, within its validity,
# is not held for price again on the quoted lines. With single_use the orders naming one take
# at most its quantities; without, it serves any number of orders until valid_until.
[quotes]
single_use = false
# The quarter's appraisal (绩效考核, `sales-sheets appraisal`): each metric's weight in
# percentage points, adding up to 100; the score is the sum of each weight times the metric,
# a rate counting up to 100 %. The expense ratio (费用率) earns its full weight up to
# expense_ratio_limit percent of receipts, and less above it (limit ÷ ratio of it).
[appraisal]
expense_ratio_limit = 5.0
[appraisal.weights]
achievement = 40.0    # 计划达成率
collection = 30.0     # 回款率
new_customers = 10.0  # 新客户拓展率
visits = 10.0         # 拜访完成率
expenses = 10.0       # 费用率
# Commission on the period's receipts, tiered by 计划达成率: each tier from at_least percent
# (inclusive) up to the next; below the first, none.
[[appraisal.commission]]
at_least = 80.0
rate = 1.0
[[appraisal.commission]]
at_least = 100.0
rate = 1.5

# Telling people (see "Telling people" in the README). Without a channel, messages go to the
# console channel: `process` and the demo print who would have been told what. People are
# found in the salespeople master data (业务员: email, mobile, wecom_userid); managers and
# assistants who approve or are told belong there too.
[notify]
# A held document's approver is reminded in the daily digest once it waited this many days.
remind_after_days = 2
# Tries per message before it is given up (dead); the first retry waits retry_seconds, each
# next one twice as long.
max_attempts = 8
retry_seconds = 60.0
# Told of the month's summary workbook and the quarter's statements; told when a message is
# given up. Codes or names from the master data, or e-mail addresses.
office = []
administrators = []
# [notify.email]
# host = "smtp.example.cn"
# port = 465
# security = "ssl"              # ssl, starttls or none
# username = "sales@example.cn"
# password_env = "SALES_SHEETS_SMTP_PASSWORD"   # the name of an environment variable
# sender = "销售部 <sales@example.cn>"
# [notify.wecom]                # 企业微信 group robot
# webhook_env = "SALES_SHEETS_WECOM_WEBHOOK"
# [notify.dingtalk]             # 钉钉 group robot, signed
# webhook_env = "SALES_SHEETS_DINGTALK_WEBHOOK"
# secret_env = "SALES_SHEETS_DINGTALK_SECRET"
# [notify.feishu]               # 飞书 group robot, signed
# webhook_env = "SALES_SHEETS_FEISHU_WEBHOOK"
# secret_env = "SALES_SHEETS_FEISHU_SECRET"
# [notify.events]               # every event is on; switch one off like this
# visit_record_missing = false

# The department's calendar, run by `watch` (or by `sales-sheets schedule run --due` from cron
# or the Task Scheduler): the month's summary workbook on the 1st, the quarter's statements on
# the 1st of a quarter, Friday's visit review, the month-end reminder for overdue customers on
# the last working day, and a daily digest of pending approvals.
[schedule]
enabled = true
timezone = "Asia/Shanghai"
hour = 8
# Jobs not to run, e.g. ["visit_review"].
off = []
# Working days are Monday to Friday: list the year's public holidays and the weekend days
# that are worked instead (调休), or "the last working day" is only an approximation.
holidays = []
workdays = []
"""
