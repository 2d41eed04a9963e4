"""Exceptions for what cannot go on. Bad data is never an exception: it is a Problem."""


class SalesSheetsError(Exception):
    """Base of every error the library raises on purpose."""


class ConfigError(SalesSheetsError):
    """config.toml is missing, malformed or holds a value of the wrong type."""


class WorkspaceError(SalesSheetsError):
    """The workspace folder is not usable (missing, not initialised, not writable)."""


class StorageError(SalesSheetsError):
    """The ledger cannot be opened, migrated or written."""


class UsageError(SalesSheetsError):
    """A caller asked for something that does not exist (an unknown kind, order or period)."""


class ServiceError(SalesSheetsError):
    """The watcher cannot be set up as a service (systemd unit, scheduled task)."""
