"""Who may submit what, enforced only when config.toml has an [access] section."""

from __future__ import annotations

from ..forms.form import Document
from ..problems import Problem, problem
from .context import Context


def check_access(doc: Document, ctx: Context) -> list[Problem]:
    access = ctx.access
    if access is None:
        return []
    folder = ctx.folder
    if not folder:
        return [problem("no_owner_folder", sheet=doc.sheet)]
    if doc.kind.master:
        if folder not in access.master_data:
            return [problem("master_data_not_allowed", sheet=doc.sheet, folder=folder)]
        return []
    if folder in access.submit_for_others:
        return []
    owner = doc.kind.owner_field
    if owner and doc.header.get(owner) and doc.header[owner] != folder:
        return [problem("wrong_owner", **doc.at_header(owner), value=doc.header[owner],
                        folder=folder)]
    if "salesperson" in doc.columns:
        for line in doc.lines:
            named = line.values.get("salesperson")
            if named and named != folder:
                return [problem("wrong_owner", **doc.at_line("salesperson", line), value=named,
                                folder=folder)]
    return []
