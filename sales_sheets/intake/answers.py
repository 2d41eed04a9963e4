"""The receipt (回执) each processed file gets: what happened, what was stored and generated."""

from __future__ import annotations

from ..forms.kinds import KINDS
from ..problems import SEVERITY_LABELS, Problem

STATUS_LABELS = {
    "accepted": ("已接收", "accepted"),
    "held": ("已接收，待审批", "held for approval"),
    "rejected": ("退回修改", "rejected"),
    "duplicate": ("重复提交，未作改动", "duplicate, nothing changed"),
}
_WORDS = {
    "title": ("sales-sheets 回执", "sales-sheets receipt"),
    "file": ("文件", "File"),
    "received": ("处理时间", "Processed"),
    "kind": ("表单", "Form"),
    "status": ("结果", "Result"),
    "document": ("单据", "Document"),
    "stored": ("已存入", "Stored"),
    "outputs": ("生成文件", "Generated"),
    "problems": ("问题", "Problems"),
    "none": ("无", "none"),
    "next_rejected": (
        "请按“问题清单”修改后重新提交；本文件的任何内容都未存入台账。",
        "Correct the problems listed and submit again; nothing from this file was stored.",
    ),
    "next_held": (
        "单据已登记为待审批，不会生成合同；补填审批号后重新提交，或由经理执行 release 放行。",
        "The document is recorded as pending: no contract is made until it is resubmitted with "
        "the approval number or released by a manager.",
    ),
}


def receipt_text(
    *, file: str, processed: str, kind: str | None, status: str, document: str, stored: str,
    outputs: list[str], problems: list[Problem], language: str,
) -> str:
    i = 1 if language == "en" else 0

    def word(key: str) -> str:
        return _WORDS[key][i]

    kind_name = KINDS[kind].title(language) if kind in KINDS else "-"
    lines = [
        word("title"),
        "",
        f"{word('file')}: {file}",
        f"{word('received')}: {processed}",
        f"{word('kind')}: {kind_name}",
        f"{word('status')}: {STATUS_LABELS[status][i]}",
    ]
    if document:
        lines.append(f"{word('document')}: {document}")
    if stored:
        lines.append(f"{word('stored')}: {stored}")
    lines.append(f"{word('outputs')}: " + (", ".join(outputs) if outputs else word("none")))
    lines.append(f"{word('problems')} ({len(problems)}):" if problems
                 else f"{word('problems')}: {word('none')}")
    for p in problems:
        where = f" {p.location}" if p.location else ""
        lines.append(f"  [{SEVERITY_LABELS[p.severity][i]}]{where} {p.message(language)}")
    if status in ("rejected", "held"):
        lines += ["", word(f"next_{status}")]
    return "\n".join(lines) + "\n"
