"""Secrets stay secret end to end: with an SMTP password and a 钉钉 robot's webhook and signing
secret in the environment, nothing `sales-sheets` prints or logs (`-v`) and nothing it stores
holds them, whether sending fails or succeeds. Real processes, a real SMTP server and a real
signature-checking robot server, a real ledger. The commands that send run as real processes
(their log on stderr as a user sees it); the others through CliRunner."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner

from sales_sheets.cli import main
from sales_sheets.workspace import Workspace

from ..helpers.config import configure
from ..helpers.dispatching import environment, sales_sheets
from ..helpers.forms import drop, one, order_header, query
from ..helpers.mail_server import mail_server
from ..helpers.robot_server import robot_server

UNKNOWN = {"product_code": "NOPE", "quantity": 1, "unit_price": "100"}
USER = "sales@example.com"
RIGHT = "smtp-right-口令-4f9a1c"
WRONG = "smtp-wrong-口令-7b2e88"


def rows(ws: Workspace) -> list[tuple[str, str, str, str | None]]:
    return [(r[0], r[1], r[2], r[3]) for r in query(
        ws, "SELECT event, channel, status, last_error FROM notifications ORDER BY id")]


def leaked(secrets: list[str], texts: list[str]) -> list[tuple[str, str]]:
    """(secret, excerpt) for every secret, as written or percent-encoded, found in `texts`."""
    found = []
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            for text in texts:
                at = text.find(form)
                if at >= 0:
                    found.append((secret, text[max(0, at - 60):at + len(form) + 20]))
    return found


def test_no_secret_in_any_output_log_or_stored_error(
    loaded: Workspace, caplog: pytest.LogCaptureFixture,
) -> None:
    with robot_server() as robots, mail_server(users={USER: RIGHT}) as server:
        mail = server.settings(username=USER, password_env="SALES_SMTP_PASSWORD")
        ws = configure(loaded, notify={
            "max_attempts": 1, "administrators": ["it@example.cn"],
            "email": {"host": mail.host, "port": mail.port, "security": "none",
                      "username": USER, "password_env": "SALES_SMTP_PASSWORD",
                      "sender": mail.sender, "timeout": 3.0},
            "dingtalk": {"webhook_env": "DINGTALK_WEBHOOK", "secret_env": "DINGTALK_SECRET"}})
        robot_env = {"DINGTALK_WEBHOOK": robots.dingtalk_url,
                     "DINGTALK_SECRET": robots.dingtalk_secret}
        secrets = [RIGHT, WRONG, robots.dingtalk_url, robots.dingtalk_token,
                   robots.dingtalk_secret]
        texts: list[str] = []
        root = str(ws.root)

        # 1. Everything fails: the mail server refuses the login, and something before the
        # robot answers HTTP 400 quoting the request, its token and the secret.
        robots.forced = (400, f"bad request: POST {robots.dingtalk_url} secret="
                              f"{robots.dingtalk_secret}".encode())
        failing = environment(SALES_SMTP_PASSWORD=WRONG, **robot_env)
        drop(ws, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
        processed = sales_sheets("-v", "process", "-w", root, env=failing)
        assert processed.returncode == 3, processed.stderr
        texts += [processed.stdout, processed.stderr]
        assert "535" in processed.stderr  # the failures are logged, with the server's answer
        rejected = [r for r in rows(ws) if r[0] == "file_rejected"]
        assert [(c, s) for _, c, s, _ in rejected] == [("email", "dead"), ("dingtalk", "dead")]
        errors = [error or "" for *_, error in rejected]
        assert "535" in errors[0] and "HTTP 400" in errors[1]
        texts += errors

        # 2. status shows the given-up messages with their errors (it sends nothing: run in
        # this process, its log caught by caplog).
        with caplog.at_level(logging.INFO):
            for args in (["status"], ["status", "--json"]):
                shown = CliRunner().invoke(main, ["-v", *args, "-w", root], env=failing)
                assert shown.exit_code == 0, shown.output
                texts += [shown.stdout, shown.stderr]
        texts.append(caplog.text)
        report = json.loads(texts[-3])
        dead = report["notifications"]["dead"]
        assert {d["key"].split(":")[0] for d in dead} == {"file_rejected"}
        assert all(d["last_error"] for d in dead)

        # 3. Everything goes: the right password, the robot answering again.
        robots.forced = None
        working = environment(SALES_SMTP_PASSWORD=RIGHT, **robot_env)
        drop(ws, "order", "S01/bad2.xlsx", order_header(no="SO-2"), [UNKNOWN])
        assert one(ws).status == "rejected"  # stored; the library itself sends nothing
        sent = sales_sheets("-v", "notify", "send", "-w", root, env=working)
        assert sent.returncode == 0, sent.stderr
        texts += [sent.stdout, sent.stderr]
        assert "HTTP Request: POST" in sent.stderr  # httpx logged the request, URL and all
    assert [r.login for r in server.received] == [USER] * len(server.received)
    assert len(server.received) >= 1 and len(robots.accepted()) >= 1
    assert [(c, s) for e, c, s, _ in rows(ws)[-2:]] == [("email", "sent"), ("dingtalk", "sent")]
    # each signature the robot got is a secret too (it proves the secret for that minute)
    secrets += [r.query["sign"] for r in robots.received if "sign" in r.query]
    texts += [error or "" for *_, error in rows(ws)]
    assert leaked(secrets, texts) == []


def test_a_missing_secret_is_named_never_shown(loaded: Workspace) -> None:
    """The webhook is set but its signing secret is not: the error names the variable and
    shows nothing of the webhook."""
    ws = configure(loaded, notify={"dingtalk": {"webhook_env": "DINGTALK_WEBHOOK",
                                                "secret_env": "DINGTALK_SECRET"}})
    webhook = "https://oapi.dingtalk.com/robot/send?access_token=tok-5b1d9e0c7a3f4e21"
    ran = CliRunner().invoke(main, ["notify", "send", "-w", str(ws.root)],
                             env={"DINGTALK_WEBHOOK": webhook, "DINGTALK_SECRET": None})
    assert ran.exit_code == 1
    assert "DINGTALK_SECRET" in ran.stderr
    assert leaked([webhook, "tok-5b1d9e0c7a3f4e21"], [ran.stdout, ran.stderr]) == []


def test_status_shows_the_channels_with_their_secrets_masked(loaded: Workspace) -> None:
    ws = configure(loaded, notify={"dingtalk": {"webhook_env": "DINGTALK_WEBHOOK",
                                                "secret_env": "DINGTALK_SECRET"}})
    token = "tok-5b1d9e0c7a3f4e21"
    webhook = f"https://oapi.dingtalk.com/robot/send?access_token={token}"
    secret = "SEC0123456789abcdef0123456789"
    shown = CliRunner().invoke(main, ["status", "-w", str(ws.root)],
                               env={"DINGTALK_WEBHOOK": webhook, "DINGTALK_SECRET": secret})
    assert shown.exit_code == 0, shown.output
    assert leaked([webhook, token, secret], [shown.output]) == []
    assert "钉钉机器人" in shown.output and "DINGTALK_WEBHOOK" in shown.output
    assert f"access_token=****{token[-4:]}" in shown.output
