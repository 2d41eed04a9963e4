"""What the add-in says to the person at the keyboard, in Chinese and English."""

from __future__ import annotations

from ..errors import SalesSheetsError
from ..text import Text

# code -> the message in both languages; placeholders are filled from keyword arguments.
MESSAGES: dict[str, Text] = {
    "title": Text("销售表单", "Sales Sheets"),
    "no_settings": Text(
        "还没有设置加载项：找不到 {path}。\n请在命令行运行：\n"
        "sales-sheets addin install --workspace <共享文件夹> --salesperson <业务员编码>",
        "The add-in is not set up: {path} does not exist.\nRun in a terminal:\n"
        "sales-sheets addin install --workspace <shared folder> --salesperson <your code>",
    ),
    "bad_settings": Text("加载项设置有误：{detail}", "The add-in settings are wrong: {detail}"),
    "no_workspace": Text(
        "加载项设置里没有共享文件夹（workspace）。请在 {path} 中填写，或重新运行 "
        "sales-sheets addin install --workspace <共享文件夹> --salesperson <业务员编码>。",
        "No shared folder (workspace) is set. Fill it in {path}, or run "
        "sales-sheets addin install --workspace <shared folder> --salesperson <your code> again.",
    ),
    "not_a_workspace": Text(
        "{workspace} 不是 sales-sheets 工作区（里面没有 config.toml）：请在 {path} 中改正路径。",
        "{workspace} is not a sales-sheets workspace (it has no config.toml): correct the path "
        "in {path}.",
    ),
    "workspace_missing": Text(
        "找不到共享文件夹 {workspace}：请检查网络盘是否已连接，或在 {path} 中改正路径。",
        "The shared folder {workspace} cannot be found: check that the network drive is "
        "connected, or correct the path in {path}.",
    ),
    "no_salesperson": Text(
        "加载项设置里没有您的业务员编码（salesperson）。请在 {path} 中填写，或重新运行 "
        "sales-sheets addin install --workspace <共享文件夹> --salesperson <业务员编码>。",
        "Your salesperson code is not set. Fill it in {path}, or run "
        "sales-sheets addin install --workspace <shared folder> --salesperson <your code> "
        "again.",
    ),
    "no_workbook": Text("请先打开要处理的工作簿。", "Open the workbook to work on first."),
    "unsaved_new": Text(
        "这个工作簿还没有保存过：请先保存一次，再点按钮。",
        "This workbook has never been saved: save it once, then press the button again.",
    ),
    "checked_ok": Text("校验通过：{counts}。", "Check passed: {counts}."),
    "checked_holds": Text(
        "可以提交，但将等待审批：{counts}。\n问题单元格已标色，批注里有说明。",
        "It can be submitted but will wait for approval: {counts}.\n"
        "The problem cells are coloured, with an explanation in each note.",
    ),
    "checked_errors": Text(
        "有错误，不能提交：{counts}。\n问题单元格已标色，批注里有说明。",
        "There are errors; it cannot be submitted: {counts}.\n"
        "The problem cells are coloured, with an explanation in each note.",
    ),
    "more_problems": Text("……还有 {count} 条", "... and {count} more"),
    "submitted": Text(
        "已提交到 {target}。\n处理结果会出现在 outbox/receipts/{folder}/ 里。",
        "Submitted as {target}.\nThe result will appear in outbox/receipts/{folder}/.",
    ),
    "submitted_held": Text(
        "已提交到 {target}，将等待审批：{counts}。",
        "Submitted as {target}; it will wait for approval: {counts}.",
    ),
    "not_submitted": Text(
        "没有提交：有错误（{counts}）。请按标色单元格的批注改正后再提交。",
        "Not submitted: there are errors ({counts}). Fix the coloured cells (see their notes) "
        "and submit again.",
    ),
    "not_an_order": Text(
        "合同预览只适用于订货单，这个工作簿是：{kind}。",
        "Contract preview works on order forms; this workbook is: {kind}.",
    ),
    "preview_errors": Text(
        "订货单有错误，无法生成合同（{counts}）。问题单元格已标色。",
        "The order has errors, so no contract can be made ({counts}). "
        "The problem cells are coloured.",
    ),
    "not_a_template": Text(
        "这个工作簿不是 sales-sheets 模板（没有 _meta 或 _lists 工作表），没有可刷新的下拉列表。"
        "请用 sales-sheets template 生成新模板。",
        "This workbook is not a sales-sheets template (no _meta or _lists sheet), so it has no "
        "drop-down lists to refresh. Make a new one with sales-sheets template.",
    ),
    "no_lists": Text("这个模板没有来自台账的下拉列表。",
                     "This template has no lists from the ledger."),
    "old_template": Text(
        "这个模板的下拉列表是旧格式，无法刷新：请用 sales-sheets template 生成新模板。",
        "This template's drop-down lists are of an older kind and cannot be refreshed: make a "
        "new one with sales-sheets template.",
    ),
    "lists_refreshed": Text("下拉列表已更新：{counts}。", "Drop-down lists refreshed: {counts}."),
    "no_report": Text(
        "还没有销售汇总：请先运行 sales-sheets report --period <期间>。",
        "There is no summary workbook yet: run sales-sheets report --period <period> first.",
    ),
    "unknown_action": Text(
        "加载项按钮 {tag} 没有对应的功能：请更新加载项（sales-sheets addin install）。",
        "The add-in button {tag} has no action: update the add-in (sales-sheets addin install).",
    ),
    "failed": Text(
        "出错了：{detail}\n详细信息已记录在 {log}。",
        "Something went wrong: {detail}\nThe details are in {log}.",
    ),
}


def say(code: str, language: str, **params: object) -> str:
    return MESSAGES[code].format(language, **params)


class AddinError(SalesSheetsError):
    """Something the person can fix (a setting, the wrong workbook), told in their language."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(say(code, "en", **params))
        self.code = code
        self.params = params

    def message(self, language: str) -> str:
        return say(self.code, language, **self.params)
