"""The ledger: the SQLAlchemy schema derived from the kinds, opening a database, storing a
document with its intake record in one transaction, and the queries the rules, documents and
reports read (balances, statements, master lists, the status overview).

May import: forms (the kinds its tables come from) and the foundation modules.
"""
