"""Visit rules: dates inside the week, a customer or a prospect on every line."""

from __future__ import annotations

from datetime import date, timedelta

from ..forms.form import Document
from ..problems import Problem, problem
from .context import Context


def check_visit(doc: Document, ctx: Context) -> list[Problem]:
    problems: list[Problem] = []
    week_start = doc.header["week_start"]
    if isinstance(week_start, date) and week_start.weekday() != 0:
        problems.append(problem("not_monday", **doc.at_header("week_start"), value=week_start))
        week_start = None
    for line in doc.lines:
        values = line.values
        if not values.get("customer_code") and not values.get("prospect_name"):
            problems.append(problem("customer_or_prospect", **doc.at_line("customer_code", line)))
        day = values.get("visit_date")
        if isinstance(week_start, date) and isinstance(day, date):
            week_end = week_start + timedelta(days=6)
            if not week_start <= day <= week_end:
                problems.append(problem("date_outside_week", **doc.at_line("visit_date", line),
                                        value=day, week_start=week_start, week_end=week_end))
    return problems
