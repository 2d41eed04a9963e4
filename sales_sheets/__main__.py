"""`python -m sales_sheets`: the `sales-sheets` command through a given Python, which is how
the systemd unit and the Windows task start it (no console script needs to be on a PATH)."""

from .cli import main

main(prog_name="sales-sheets")
