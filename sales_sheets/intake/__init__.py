"""Intake: the inbox and its claims (inbox), the watcher (watch), taking one claimed file
through read -> normalise -> derive -> validate -> store (ingest), the same without storing
(check), and the answers each file gets: the acknowledgement (answers, 回执) and the annotated copy
of a rejected file (annotate); approvals given on paper (approvals).

May import: every stage package before it (formats, forms, ledger, rules, documents, reports)
and the foundation modules.
"""
