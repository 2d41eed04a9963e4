"""Bilingual text: the Chinese and the English of one word, label or message, side by side."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES = ("zh", "en")


@dataclass(frozen=True, slots=True)
class Text:
    """One text in both languages; `text(language)` picks one. An unknown language raises
    rather than falls back: config.toml refuses one, so meeting it here is a bug."""

    zh: str
    en: str

    def __call__(self, language: str) -> str:
        if language == "zh":
            return self.zh
        if language == "en":
            return self.en
        raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")

    def format(self, language: str, /, **params: object) -> str:
        """The text in `language` with its {placeholders} filled from `params`."""
        return self(language).format_map(params)

    def format_map(self, language: str, params: Mapping[str, object]) -> str:
        return self(language).format_map(params)
