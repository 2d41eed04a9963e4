"""Rendering Word templates with docxtpl in a sandbox, and checking templates before use.

docxtpl neither escapes nor sandboxes by default: a value such as `A & B <C>` would corrupt the
document and a template could run code. Every render here goes through a SandboxedEnvironment
with autoescape. A template is checked once per change (syntax, variables it may use, a trial
render with sample values) and a fault names the template and the tag.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document as open_docx  # noqa: N813 - a function that opens a .docx
from docxtpl import DocxTemplate
from jinja2 import Template
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from ..errors import SalesSheetsError
from ..files import write_bytes_atomic
from ..formats.stable_zip import stable_package
from ..workspace import Workspace

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_checked: dict[tuple[Path, float, int], None] = {}


class TemplateError(SalesSheetsError):
    """A document template is broken or unsafe; the message names it and the tag."""


@dataclass(frozen=True)
class WorkspaceTemplate:
    """A document template in a workspace's templates/ folder, written from the shipped
    default when missing, and the variables it may use."""

    filename: str
    variables: Mapping[str, tuple[str, str]]
    write_default: Callable[[Path, str], Path]

    def ensure(self, workspace: Workspace) -> Path:
        """The workspace's copy of this template, written from the shipped default when it
        has none yet (an administrator's restyled copy is never replaced)."""
        path = workspace.templates / self.filename
        if not path.exists():
            self.write_default(path, workspace.language)
        return path

    def check(self, workspace: Workspace, sample: Mapping[str, Any]) -> None:
        allowed = {name.split(".")[0].split("[")[0] for name in self.variables}
        check_template(self.ensure(workspace), allowed, sample)


class _Sandbox(SandboxedEnvironment):
    """docxtpl compiles the document's XML with `from_string` on every render; the same
    template gives the same source, so its compiled form is kept (most of a render's time).

    That docxtpl compiles through this public Jinja method is its internal behaviour, not its
    API: docxtpl is capped in pyproject.toml and tests/test_private_apis.py fails if it changes.
    """

    def __init__(self) -> None:
        super().__init__(autoescape=True)

    def from_string(self, source: Any, globals: Any = None,  # noqa: A002 - Jinja's name
                    template_class: Any = None) -> Template:
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        return _compiled(source)


_sandbox = _Sandbox()


@functools.lru_cache(maxsize=16)
def _compiled(source: str) -> Template:
    return SandboxedEnvironment.from_string(_sandbox, source)


def environment() -> SandboxedEnvironment:
    """The one sandboxed, autoescaping environment every render goes through."""
    return _sandbox


def render_docx(template: Path, context: Mapping[str, Any], target: Path) -> Path:
    """Render `template` with `context` into `target`, atomically."""
    write_bytes_atomic(target, _rendered(template, context))
    return target


class _Template(DocxTemplate):  # type: ignore[misc]  # docxtpl is untyped: Any to mypy
    """docxtpl cleans every part's XML of the run and proofing tags Word puts inside a `{{ }}`
    tag (`patch_xml`, regular expressions over the whole part) on every render, a fifth of its
    time; the same template gives the same XML, so its cleaned form is kept.

    That `patch_xml` reads nothing but its argument and is how every part is cleaned is docxtpl's
    internal behaviour, not its API: capped and tested like the `_Sandbox` cache.
    """

    def patch_xml(self, src_xml: str) -> str:
        return _patched(src_xml)


@functools.lru_cache(maxsize=16)
def _patched(src_xml: str) -> str:
    return str(DocxTemplate.patch_xml(None, src_xml))


def _rendered(template: Path, context: Mapping[str, Any]) -> bytes:
    document = _Template(str(template))
    try:
        document.render(dict(context), jinja_env=environment())
    except JinjaError as exc:
        raise TemplateError(_describe(template, exc)) from None
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_package(buffer.getvalue())


def check_template(template: Path, allowed: set[str], sample: Mapping[str, Any]) -> None:
    """Raise TemplateError unless `template` parses, uses only `allowed` top-level variables,
    and renders `sample` in the sandbox. Checked once per version of the file."""
    try:
        stat = template.stat()
    except FileNotFoundError:
        raise TemplateError(f"template {template} is missing") from None
    key = (template.resolve(), stat.st_mtime, stat.st_size)
    if key in _checked:
        return
    try:
        document = DocxTemplate(str(template))
        used = document.get_undeclared_template_variables(jinja_env=environment())
    except JinjaError as exc:
        raise TemplateError(_describe(template, exc)) from None
    except Exception as exc:  # noqa: BLE001 - a damaged .docx is a template fault too
        raise TemplateError(f"template {template.name} cannot be opened: {exc}") from None
    unknown = sorted(used - allowed)
    if unknown:
        tags = [t for t in _TAG.findall(template_text(template))
                if any(name in t for name in unknown)]
        raise TemplateError(
            f"template {template.name} uses unknown variable(s) {', '.join(unknown)}"
            + (f" in {' '.join(tags[:3])}" if tags else "")
            + "; see docs/TEMPLATES.md for the variables a template may use")
    _rendered(template, sample)  # in memory: checking must not need disk space
    _checked[key] = None


def template_text(template: Path) -> str:
    """The template's text as Jinja sees it (runs joined, XML removed)."""
    document = _Template(str(template))
    # docxtpl's own run-joining, so the text matches what Jinja reported (tests/test_private_apis)
    xml = document.patch_xml(document.xml_to_string(open_docx(str(template)).element.body))
    return re.sub(r"<[^>]+>", "", xml)


def _describe(template: Path, exc: JinjaError) -> str:
    message = getattr(exc, "message", None) or str(exc)
    culprit = _culprit(template_text(template), message)
    where = f" at {culprit!r}" if culprit else ""
    return f"template {template.name}{where}: {type(exc).__name__}: {message}"


def _culprit(text: str, message: str) -> str:
    """The tag a person should look at: an unclosed one first, else one naming what failed."""
    for opener, closer in (("{{", "}}"), ("{%", "%}")):
        for start in (m.start() for m in re.finditer(re.escape(opener), text)):
            end = text.find(closer, start)
            following = min((i for i in (text.find("{{", start + 2), text.find("{%", start + 2))
                             if i != -1), default=len(text))
            if end == -1 or end > following:
                return text[start:min(following, start + 40)].strip()
    tokens = [t.removeprefix("end") for t in re.findall(r"'([^']+)'", message)]
    tags = _TAG.findall(text)
    if "end of template" in message:
        tags.reverse()  # the block left open is the last one opened
    return next((t for t in tags if any(token and token in t for token in tokens)), "")

