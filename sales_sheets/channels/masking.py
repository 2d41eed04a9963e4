"""Keeping secrets out of what people read: a webhook URL shown with its key masked, and any
text (a reason, a log line) with every known secret replaced."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit, urlunsplit

MASK = "****"


def mask(secret: str) -> str:
    """`secret` as `****` and, when it is long enough that they give nothing away, its last
    four characters, so a person can tell which of two keys is configured."""
    return MASK + secret[-4:] if len(secret) >= 16 else MASK


def mask_url(url: str) -> str:
    """`url` with the secrets a webhook carries masked: every query value (企业微信's key,
    钉钉's access_token), the last path segment when there is no query (飞书's hook id), and a
    password in it."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{user}@{host}"
    path, query = parts.path, parts.query
    if query:
        query = "&".join(f"{key}={mask(value)}" for key, value in
                         parse_qsl(query, keep_blank_values=True))
    elif path.rstrip("/"):
        head, _, last = path.rstrip("/").rpartition("/")
        path = f"{head}/{mask(last)}"
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def url_secrets(url: str) -> list[str]:
    """The parts of a webhook URL that are secret (see `mask_url`), and the URL itself."""
    parts = urlsplit(url)
    found = [url, *(value for _, value in parse_qsl(parts.query, keep_blank_values=True))]
    if not parts.query:
        found.append(parts.path.rstrip("/").rpartition("/")[2])
    if "@" in parts.netloc:
        found.append(parts.netloc.rpartition("@")[0].partition(":")[2])
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with each secret, as written or percent-encoded, replaced by `****`. Secrets of
    fewer than four characters are left alone: replacing them would garble the text and hide
    nothing."""
    forms = {form for secret in secrets if len(secret) >= 4
             for form in (secret, quote(secret, safe=""), quote_plus(secret))}
    for form in sorted(forms, key=len, reverse=True):  # a URL before the key inside it
        text = text.replace(form, MASK)
    return text


class _Scrub(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


@contextmanager
def scrubbed_log(logger_name: str, secrets: list[str]) -> Iterator[None]:
    """While inside, records of the logger `logger_name` have `secrets` scrubbed. httpx logs
    every request's full URL at INFO, and a robot's URL holds its key."""
    logger = logging.getLogger(logger_name)
    scrubber = _Scrub(secrets)
    logger.addFilter(scrubber)
    try:
        yield
    finally:
        logger.removeFilter(scrubber)
