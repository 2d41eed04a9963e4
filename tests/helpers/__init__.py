"""What the tests share, imported as `tests.helpers.*` (never from another test module):
filled forms dropped into a real inbox (forms), a workspace's config.toml changed through code
(config), a watcher running in a thread with bounded waits (watching), and a
synthetic year of ledger rows, shared with bench/report_large.py (synthetic_ledger)."""
