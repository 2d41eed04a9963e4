"""The department's calendar run (spec 4d): what each job does for one period (jobs) and
running what is due once per period however many watchers share the ledger (runner).

May import: reports, documents, notify, ledger, calendar and the stages below them, and the
foundation modules.
"""
