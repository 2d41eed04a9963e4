"""Rendering Word templates with docxtpl in a sandbox, and checking templates before use.

docxtpl neither escapes nor sandboxes by default: a value such as `A & B <C>` would corrupt the
document and a template could run code. Every render here goes through a SandboxedEnvironment
with autoescape. A template is checked once per change (syntax, variables it may use, a trial
render with sample values) and a fault names the template and the tag. The first render of each
version of a template file prepares it, and later renders copy the prepared package instead of
opening the .docx again (prepared.py), giving the same bytes.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import threading
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
from .prepared import Prepared, Sources, Unprepared, needs_docx, sources

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_checked: dict[tuple[Path, float, int], None] = {}
_log = logging.getLogger(__name__)


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


# Per version of a template file (path, mtime, size): the prepared package (prepared.py), or
# None for a template that keeps docxtpl's whole way. A few versions at most are in use.
_prepared: dict[tuple[Path, int, int], Prepared | None] = {}
_prepared_lock = threading.Lock()
_PREPARED_KEPT = 8


def _rendered(template: Path, context: Mapping[str, Any]) -> bytes:
    """The stable package docxtpl renders from `template` with `context` in the sandbox.

    The first render of each version of the file goes docxtpl's whole way and prepares the
    template; later ones render only the parts docxtpl renders and copy the rest (prepared.py),
    the same bytes.
    """
    key = _version(template)
    whole_way = key is None or needs_docx(context)
    prepared = None if key is None or whole_way else _prepared.get(key)
    try:
        if prepared is not None:
            return prepared.render(context, environment())
        document = _Template(str(template))
        found = None
        if key is not None and not whole_way and key not in _prepared:
            document.init_docx()
            found = _sources(key, template, document)
        document.render(dict(context), jinja_env=environment())
    except JinjaError as exc:
        raise TemplateError(_describe(template, exc)) from None
    buffer = io.BytesIO()
    document.save(buffer)
    data = stable_package(buffer.getvalue())
    if found is not None and key is not None and _version(template) == key:
        _prepare(key, template, found, data, context)
    return data


_Version = tuple[Path, int, int]


def _version(template: Path) -> _Version | None:
    """The template file's version, its path, mtime and size; None if it cannot be read."""
    try:
        stat = template.stat()
    except OSError:
        return None  # docxtpl says what is wrong with the file
    return template.resolve(), stat.st_mtime_ns, stat.st_size


def _sources(key: _Version, template: Path, document: DocxTemplate) -> Sources | None:
    """The sources of `document` for preparing it, or None (and a log line) if its renders
    cannot be reproduced from them."""
    try:
        return sources(document)
    except Unprepared as exc:
        _keep(key, None, f"template {template.name}: {exc}; rendering it through docxtpl every "
                         "time")
    except Exception as exc:  # noqa: BLE001 - preparing is an optimisation; docxtpl renders it
        _keep(key, None, f"template {template.name} cannot be prepared ({exc!r}); rendering it "
                         "through docxtpl every time", logging.WARNING)
    return None


def _prepare(key: _Version, template: Path, found: Sources, data: bytes,
             context: Mapping[str, Any]) -> None:
    """Keep `template` prepared from its sources and docxtpl's render of `context`, once the
    prepared render of the same context gives the same bytes."""
    try:
        prepared = Prepared(found, data)
        same = prepared.render(context, environment()) == data
    except Exception as exc:  # noqa: BLE001 - preparing is an optimisation; docxtpl renders it
        _keep(key, None, f"template {template.name} cannot be prepared ({exc!r}); rendering it "
                         "through docxtpl every time", logging.WARNING)
        return
    if not same:
        # docxtpl or python-docx changed beyond what tests/test_private_apis.py checks
        _keep(key, None, f"template {template.name}: its prepared render differs from "
                         "docxtpl's; rendering it through docxtpl every time", logging.WARNING)
        return
    _keep(key, prepared)


def _keep(key: _Version, prepared: Prepared | None, why: str = "",
          level: int = logging.INFO) -> None:
    if why:
        _log.log(level, why)
    with _prepared_lock:
        while len(_prepared) >= _PREPARED_KEPT:
            del _prepared[next(iter(_prepared))]
        _prepared[key] = prepared


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

