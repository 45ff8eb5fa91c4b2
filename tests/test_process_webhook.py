"""`python -m bot` in webhook mode, as an operator runs it behind a proxy: JSON logs included."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import pytest

from tests.e2e import TOKEN
from tests.test_process import CHAT, SECRET, BotProcess, bot_env, free_port

WEBHOOK_SECRET = "process-webhook-secret_0123456789"


def webhook_env(telegram, tmp_path, port: int, **extra: str) -> dict[str, str]:
    return bot_env(
        telegram,
        tmp_path / "bot.db",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        **extra,
    )


async def test_webhook_mode_with_json_logs_answers_and_stops_cleanly(telegram, tmp_path):
    port = free_port()
    env = webhook_env(telegram, tmp_path, port, LOG_FORMAT="json")  # at DEBUG: everything
    bot = await BotProcess.start(env, tmp_path)
    await bot.wait_for_log("is running as")
    telegram.user_sends(CHAT, "/start")
    [welcome] = await telegram.wait_for_messages(CHAT, timeout=20)
    assert "Welcome" in welcome.text
    assert await bot.stop(signal.SIGTERM) == 0
    entries = [json.loads(line) for line in bot.lines]
    messages = [entry["message"] for entry in entries]
    assert f"Receiving updates by webhook on 127.0.0.1:{port}" in messages
    assert messages[-1] == "Stopped"
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    for leak in (TOKEN, SECRET, WEBHOOK_SECRET):
        assert leak not in bot.log
    assert "setWebhook" in bot.log  # DEBUG really was on: PTB logged the call, secret hidden
    assert telegram.webhook_url == f"http://127.0.0.1:{port}/telegram"  # kept for next start


async def test_a_taken_webhook_port_is_one_line_and_exit_2(telegram, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = await BotProcess.start(webhook_env(telegram, tmp_path, port), tmp_path)
        assert await bot.exited(timeout=20) == 2
    assert bot.lines[-1].startswith(f"gutbone-bot: cannot listen on 127.0.0.1:{port} (")
    assert bot.lines[-1].rstrip().endswith("set WEBHOOK_LISTEN and WEBHOOK_PORT to a free address")
    assert "Traceback" not in bot.log and WEBHOOK_SECRET not in bot.log


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET is required with WEBHOOK_URL"),
        ({"WEBHOOK_SECRET": "weak-secret"}, "(it has 11, too few to be hard to guess)"),
        ({"WEBHOOK_SECRET": "not:allowed:chars"}, "(it has other characters)"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be text or json"),
    ],
)
def test_webhook_configuration_errors_are_one_line_and_exit_2(tmp_path, env, message):
    base = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATABASE_PATH": str(tmp_path / "x.db"),
        "WEBHOOK_URL": "https://bot.example.org/telegram",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        **env,
    }
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        env=inherited | base,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("gutbone-bot: ") and message in line
    if env.get("WEBHOOK_SECRET"):
        assert env["WEBHOOK_SECRET"] not in line
