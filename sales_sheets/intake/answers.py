"""The acknowledgement (回执) each processed file gets: what happened, what was stored and
generated. They go to outbox/receipts/, the folder's first name, kept for the people who know
it; a 回款 (a payment received) is the other "receipt", the input kind."""

from __future__ import annotations

from ..kinds import KINDS
from ..problems import SEVERITY_LABELS, Problem
from ..status import Status
from ..text import Text
from .annotate import COMMENT_LIMIT, PROBLEM_SHEET

# Up to this many problems are listed one by one; more are summarised by code, with the first
# few of each: an acknowledgement is read by a person, and a file with 100,000 wrong lines would
# otherwise get an acknowledgement of 100,000 lines.
RECEIPT_LIMIT = 30
EXAMPLES = 3

_WORDS: dict[str, Text] = {
    "title": Text("sales-sheets 回执", "sales-sheets acknowledgement"),
    "file": Text("文件", "File"),
    "received": Text("处理时间", "Processed"),
    "kind": Text("表单", "Form"),
    "status": Text("结果", "Result"),
    "document": Text("单据", "Document"),
    "stored": Text("已存入", "Stored"),
    "outputs": Text("生成文件", "Generated"),
    "problems": Text("问题", "Problems"),
    "none": Text("无", "none"),
    "by_code": Text("{code}（{severity}）共 {count} 处，前 {shown} 处：",
                    "{code} ({severity}): {count}, the first {shown}:"),
    "full_list": Text(
        "全部问题见退回文件的“{sheet}”工作表；前 {limit} 个问题单元格附有批注，其余只标了颜色。",
        "Every problem is on the \u201c{sheet}\u201d sheet of the copy sent back; the first "
        "{limit} problem cells carry a comment, the others are coloured only.",
    ),
    "next_rejected": Text(
        "请按“问题清单”修改后重新提交；本文件的任何内容都未存入台账。",
        "Correct the problems listed and submit again; nothing from this file was stored.",
    ),
    "next_held": Text(
        "单据已登记为待审批，暂不生成合同。审批单已发给审批人（见生成文件），审批同意后自动放行；"
        "也可补填审批号后重新提交。",
        "The document is recorded as pending: no contract is made yet. Its approval form went to "
        "the approver (see Generated); once approved it goes through. It may also be resubmitted "
        "with the approval number.",
    ),
}
_DECISION: dict[str, Text] = {
    "title": Text("sales-sheets 审批结果", "sales-sheets approval"),
    "approved": Text("{kind} {number}（第 {version} 版）已审批同意。",
                     "{kind} {number} (version {version}) was approved."),
    "declined": Text("{kind} {number}（第 {version} 版）未获批准，状态为“已否决”，不生成合同。"
                     "可修改后以同一单号提交新版本。",
                     "{kind} {number} (version {version}) was declined: no contract is made. "
                     "A new version may be submitted under the same number."),
    "approval": Text("审批号：{no}；审批人：{approver}；审批日期：{day}",
                     "Approval No.: {no}; approver: {approver}; date: {day}"),
    "remarks": Text("审批意见：{remarks}", "Remarks: {remarks}"),
    "source": Text("原文件：{file}", "Submitted as: {file}"),
}


def decision_text(
    *, approve: bool, kind: str, number: str, version: int, approval_no: str, approver: str,
    approved_on: object, remarks: str, source_file: str, outputs: list[str], language: str,
) -> str:
    """The notice a submitter gets in their acknowledgements folder when their held document is
    decided."""
    kind_name = KINDS[kind].title(language)
    lines = [
        _DECISION["title"](language),
        "",
        _DECISION["approved" if approve else "declined"].format(
            language, kind=kind_name, number=number, version=version),
        _DECISION["approval"].format(language, no=approval_no, approver=approver,
                                     day=approved_on),
        _DECISION["source"].format(language, file=source_file),
    ]
    if remarks:
        lines.append(_DECISION["remarks"].format(language, remarks=remarks))
    if outputs:
        lines.append(f"{_WORDS['outputs'](language)}: {', '.join(outputs)}")
    return "\n".join(lines) + "\n"


def acknowledgement_text(
    *, file: str, processed: str, kind: str | None, status: Status, document: str, stored: str,
    outputs: list[str], problems: list[Problem], language: str,
) -> str:
    def word(key: str) -> str:
        return _WORDS[key](language)

    kind_name = KINDS[kind].title(language) if kind in KINDS else "-"
    lines = [
        word("title"),
        "",
        f"{word('file')}: {file}",
        f"{word('received')}: {processed}",
        f"{word('kind')}: {kind_name}",
        f"{word('status')}: {status.outcome(language)}",
    ]
    if document:
        lines.append(f"{word('document')}: {document}")
    if stored:
        lines.append(f"{word('stored')}: {stored}")
    lines.append(f"{word('outputs')}: " + (", ".join(outputs) if outputs else word("none")))
    lines.append(f"{word('problems')} ({len(problems)}):" if problems
                 else f"{word('problems')}: {word('none')}")
    lines += problem_lines(problems, language)
    if len(problems) > RECEIPT_LIMIT and status == Status.REJECTED:
        lines.append(_WORDS["full_list"].format(language, sheet=PROBLEM_SHEET(language),
                                                limit=COMMENT_LIMIT))
    if status in (Status.REJECTED, Status.HELD):
        lines += ["", word(f"next_{status}")]
    return "\n".join(lines) + "\n"


def problem_lines(problems: list[Problem], language: str) -> list[str]:
    """The problems as a person reads them, indented: each one, or above RECEIPT_LIMIT a
    summary by code with the first few of each."""
    if len(problems) <= RECEIPT_LIMIT:
        return [f"  {problem_line(p, language)}" for p in problems]
    return _summary(problems, language)


def problem_line(p: Problem, language: str) -> str:
    """One problem: its severity in words, where it is, and what is wrong."""
    where = f" {p.location}" if p.location else ""
    return f"[{SEVERITY_LABELS[p.severity](language)}]{where} {p.message(language)}"


def _summary(problems: list[Problem], language: str) -> list[str]:
    """Per code, in the order the codes first appear: the count and the first few."""
    by_code: dict[str, list[Problem]] = {}
    for p in problems:
        by_code.setdefault(p.code, []).append(p)
    lines = []
    for code, found in by_code.items():
        shown = found[:EXAMPLES]
        lines.append("  " + _WORDS["by_code"].format(
            language, code=code, severity=SEVERITY_LABELS[found[0].severity](language),
            count=len(found), shown=len(shown)))
        lines += [f"    {problem_line(p, language)}" for p in shown]
    return lines
