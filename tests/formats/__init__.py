"""Contract tests of the byte-level formats, each against an independent reader."""
