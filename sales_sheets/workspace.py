"""A workspace: config.toml, inbox/, outbox/, templates/, archive/ and the ledger beside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import CONFIG_TEMPLATE, Settings, load_settings
from .errors import WorkspaceError
from .services import Services

CONFIG_NAME = "config.toml"
# "receipts" holds the acknowledgements (回执): the folder keeps the name people know it by.
OUTBOX_PARTS = ("contracts", "invoices", "statements", "reports", "receipts", "rejected")


@dataclass(frozen=True)
class Workspace:
    """A workspace folder, its settings, and the services its work runs with: each Workspace
    object has its own (see services.py), unless the caller that builds it passes some."""

    root: Path
    settings: Settings
    services: Services = field(default_factory=Services, compare=False, repr=False)

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def claimed(self) -> Path:
        """Files taken out of the inbox and not yet archived: the only unfinished state. A
        hidden folder inside the inbox, so that the claiming rename stays within the watched
        tree (watchdog holds a move out of it back for half a second, and every event after
        it with it)."""
        return self.inbox / ".claimed"

    @property
    def database_url(self) -> str:
        url = self.settings.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str((self.root / url[len(prefix):]).resolve())
        return url

    @property
    def language(self) -> str:
        return self.settings.language

    def ensure_folders(self) -> None:
        for folder in (self.inbox, self.templates, self.archive, self.claimed):
            folder.mkdir(parents=True, exist_ok=True)
        for part in OUTBOX_PARTS:
            (self.outbox / part).mkdir(parents=True, exist_ok=True)


def open_workspace(path: Path | str = ".", services: Services | None = None) -> Workspace:
    """Open an existing folder as a workspace; its config.toml is optional (defaults apply).
    `services` are the engine, PDF worker and clock its work runs with: new ones by default,
    opened when first needed (close them with `workspace.services.close()`)."""
    root = Path(path).resolve()
    if not root.is_dir():
        raise WorkspaceError(f"{root} is not a folder; create one with `sales-sheets init {path}`")
    workspace = Workspace(root, load_settings(root / CONFIG_NAME), services or Services())
    workspace.ensure_folders()
    return workspace


def init_workspace(path: Path | str) -> Workspace:
    """Create a workspace with a commented config.toml; an existing config is left as it is."""
    root = Path(path).resolve()
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_NAME
    if not config.exists():
        config.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    return open_workspace(root)
