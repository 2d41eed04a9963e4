"""Bilingual text: the Chinese and the English of one word, label or message, side by side."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

LANGUAGES = ("zh", "en")

_T = TypeVar("_T")


def pick(language: str, zh: _T, en: _T) -> _T:
    """The one of a Chinese and an English thing (a text, a tuple of lines) for `language`.
    An unknown language raises rather than falls back: config.toml refuses one, so meeting it
    here is a bug."""
    if language == "zh":
        return zh
    if language == "en":
        return en
    raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")


@dataclass(frozen=True, slots=True)
class Text:
    """One text in both languages; `text(language)` picks one (see `pick`)."""

    zh: str
    en: str

    def __call__(self, language: str) -> str:
        return pick(language, self.zh, self.en)

    def format(self, language: str, /, **params: object) -> str:
        """The text in `language` with its {placeholders} filled from `params`."""
        return self(language).format_map(params)

    def format_map(self, language: str, params: Mapping[str, object]) -> str:
        return self(language).format_map(params)
