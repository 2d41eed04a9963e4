"""Telling people (spec 4d): the messages an outcome or a scheduled job stores, their texts,
and the dispatcher that sends them."""
