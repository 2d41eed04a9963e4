"""The channels against real servers on 127.0.0.1: aiosmtpd for mail, an HTTP server that checks
what the group robots check (tests/helpers/mail_server.py, tests/helpers/robot_server.py)."""
