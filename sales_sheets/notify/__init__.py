"""Telling people (spec 4d): the messages an outcome or a scheduled job stores (events), their
texts (texts, from templates an office may reword), and the dispatcher that sends them over the
channels, retried with backoff (dispatch).

May import: ledger and the stages below it, channels, and the foundation modules.
"""
