"""The one wiring: `Services` built complete and frozen, each part's faults reported to it."""

from __future__ import annotations

import dataclasses

import pytest

from bot.service.config import parse_settings
from bot.service.context import services_of
from bot.service.wiring import build_application
from bot.transport.polling import TokenRevoked
from emulator import TEST_TOKEN
from storage import Store
from tests.conftest import TEST_LIBRARY
from tips import load_library

WEBHOOK = {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "s" * 32}


def built(tmp_path, **values: str):
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TEST_TOKEN, **values})
    store = Store.open(tmp_path / "bot.db")
    return services_of(build_application(settings, store, load_library(TEST_LIBRARY)))


def test_the_services_are_complete_and_nothing_is_assigned_afterwards(tmp_path):
    services = built(tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        services.wake_at = lambda moment: None  # type: ignore[method-assign]
    listeners = services.delivery.outcome_listeners
    assert listeners == [services.sweeper.heartbeat.progressed, services.metrics.count_outcome]
    assert services.webhook_watch is None  # long polling watches the token itself
    services.store.close()


def test_a_token_rejected_by_webhook_is_a_fault_the_runner_waits_on(tmp_path):
    services = built(tmp_path, **WEBHOOK)
    assert not services.faults.happened.is_set()
    services.token_rejected()  # a reply met 401
    assert services.faults.happened.is_set()
    with pytest.raises(TokenRevoked):
        services.faults.raise_first()
    services.store.close()


def test_without_a_webhook_a_rejected_token_is_left_to_the_polling_watch(tmp_path):
    services = built(tmp_path)
    services.token_rejected()
    assert not services.faults.happened.is_set()
    services.faults.raise_first()  # nothing to raise
    services.store.close()
