"""Byte-level file formats, with no knowledge of sales: zip and XML safety checks before any
parser runs, OOXML package parts (defined names, tables), writing user text into openpyxl cells,
the fast xlsx row writer, how every sheet we write prints, the compound-file writer and MS-OVBA
compression of the add-in.

May import: the foundation modules (errors, config, problems, text). Nothing from the other
packages.
"""
