"""What each message says: a text template per event and language, its first line the subject.

The shipped texts (messages/<language>/<event>.txt beside this module) are written to the
workspace's `templates/messages/<language>/<event>.txt` the first time they are used, so an
office can reword them; they are rendered in a sandbox (a template cannot
run code) without HTML escaping (they are plain text). A template that fails to render is
logged and the shipped text is used instead: a typo in a reworded text must not stop the mail.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..files import write_text_atomic
from ..workspace import Workspace

log = logging.getLogger(__name__)

_ENVIRONMENT = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False,
                                    trim_blocks=True, lstrip_blocks=True)

_SHIPPED = resources.files(__package__) / "messages"
EVENTS = ("file_rejected", "file_held", "approval_waiting", "approval_reminder",
          "approval_decided", "statements_ready", "report_ready", "visit_record_missing",
          "standing_approval_due", "statement_reply_overdue", "complaint_overdue",
          "notification_dead")


@dataclass(frozen=True)
class MessageText:
    subject: str
    body: str


def message_text(workspace: Workspace, event: str, facts: Mapping[str, Any]) -> MessageText:
    """The subject and body of `event`'s message with `facts`, in the workspace's language,
    from its (possibly reworded) template."""
    path = template_path(workspace, event)
    try:
        return _split(_compiled(path.read_text(encoding="utf-8")).render(facts))
    except (OSError, UnicodeDecodeError, TemplateError) as exc:
        log.warning("the message text %s cannot be used (%s); the shipped one is used instead",
                    path, exc)
        return _split(_compiled(_shipped(event, workspace.language)).render(facts))


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    """A text's compiled template: compiling costs more than rendering, and a burst of files
    renders the same few texts over and over (a reworded text is new source, compiled anew)."""
    return _ENVIRONMENT.from_string(source)


def template_path(workspace: Workspace, event: str) -> Path:
    """The workspace's text of `event`, written from the shipped one when it has none yet."""
    path = workspace.templates / "messages" / workspace.language / f"{event}.txt"
    if not path.exists():
        write_text_atomic(path, _shipped(event, workspace.language))
    return path


def _shipped(event: str, language: str) -> str:
    return (_SHIPPED / ("en" if language == "en" else "zh") / f"{event}.txt").read_text(
        encoding="utf-8")


def _split(rendered: str) -> MessageText:
    subject, _, body = rendered.strip().partition("\n")
    return MessageText(subject.strip(), body.strip() + "\n")
