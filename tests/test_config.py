"""Settings: defaults, `.env` files, and one clear line for every bad value."""

import re
from datetime import time
from pathlib import Path

import pytest

from bot.service.config import (
    _VARIABLES,
    VARIABLE_NAMES,
    ConfigError,
    database_path,
    load_settings,
    misspelled_variables,
    parse_settings,
    raw_secrets,
    raw_token,
)
from emulator import TEST_TOKEN as TOKEN
from tips import LIBRARY_DIR


def test_defaults():
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.database_path == Path("data/gutbone.db")
    assert settings.default_schedule.timezone.key == "UTC"
    assert settings.default_delivery_time == time(8, 0)
    assert settings.admin_user_ids == frozenset()
    assert settings.log_level == "INFO"
    assert settings.tips_library == LIBRARY_DIR


def test_another_tip_library_can_be_named():
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TIPS_LIBRARY": " drafts/library "})
    assert settings.tips_library == Path("drafts/library")


def test_blank_values_keep_the_defaults_and_rates_at_the_bounds_are_accepted():
    blank = {"DATABASE_PATH": " ", "DEFAULT_TIMEZONE": "", "LOG_LEVEL": ""}
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **blank, "BROADCAST_RATE": "1"})
    assert settings.database_path == Path("data/gutbone.db")
    assert (settings.default_timezone, settings.log_level) == ("UTC", "INFO")
    assert settings.broadcast_rate == 1
    paid = {"TELEGRAM_BOT_TOKEN": TOKEN, "BROADCAST_RATE": "1000", "PAID_BROADCAST": "true"}
    assert parse_settings(paid).broadcast_rate == 1000
    assert parse_settings(paid).paid_broadcast is True


def test_timezone_aliases_resolve_to_the_canonical_zone():
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DEFAULT_TIMEZONE": "Asia/Calcutta"})
    assert settings.default_timezone == "Asia/Kolkata"
    assert parse_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_USER_IDS": "7, 42"}
    ).admin_user_ids == {
        7,
        42,
    }


def test_env_file_is_read_and_real_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nDEFAULT_TIMEZONE=Europe/Berlin\nLOG_LEVEL=debug\n"
    )
    settings = load_settings({"DEFAULT_TIMEZONE": "Asia/Tokyo"}, env_file=env_file)
    assert settings.token == TOKEN
    assert settings.default_timezone == "Asia/Tokyo"
    assert settings.log_level == "DEBUG"


def test_token_is_not_in_the_repr():
    assert TOKEN not in repr(parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN}))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN is malformed"),
        ({"TELEGRAM_BOT_TOKEN": f'"{TOKEN}"'}, "TELEGRAM_BOT_TOKEN is malformed"),
        ({"DEFAULT_TIMEZONE": "Mars/Base"}, "DEFAULT_TIMEZONE 'Mars/Base' is not an IANA timezone"),
        ({"DEFAULT_TIMEZONE": "berlin"}, "is not an IANA timezone"),
        ({"DEFAULT_DELIVERY_TIME": "8am"}, "DEFAULT_DELIVERY_TIME '8am' is not a 24-hour"),
        ({"ADMIN_USER_IDS": "1,two"}, "ADMIN_USER_IDS must be positive Telegram user ids"),
        ({"ADMIN_USER_IDS": "0"}, "ADMIN_USER_IDS must be positive Telegram user ids"),
        ({"ADMIN_USER_IDS": "7,-100123"}, "ADMIN_USER_IDS must be positive Telegram user ids"),
        ({"ADMIN_USER_IDS": "1" * 23}, "ADMIN_USER_IDS must be positive Telegram user ids"),
        ({"DEFAULT_TIMEZONE": "localtime"}, "'localtime' is in tzdata but is not a place's zone"),
        ({"DEFAULT_TIMEZONE": "Factory"}, "'Factory' is in tzdata but is not a place's zone"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
        ({"TELEGRAM_API_BASE_URL": "api.telegram.org"}, "must start with http"),
        ({"TELEGRAM_API_BASE_URL": "https://api.telegram.org"}, "a path ending in /bot"),
        ({"TELEGRAM_API_BASE_URL": "https://api.telegram.org/bot/"}, "a path ending in /bot"),
        ({"TELEGRAM_API_BASE_URL": "https:///bot"}, "must be a host and a path"),
        ({"TELEGRAM_API_BASE_URL": "http://127.0.0.1:99999/bot"}, "must be a host and a path"),
        ({"TELEGRAM_API_BASE_URL": "http://[::1/bot"}, "must be a host and a path"),
        ({"TELEGRAM_API_BASE_URL": "https://example.org/bot?x=1"}, "a path ending in /bot"),
        ({"BROADCAST_RATE": "fast"}, "BROADCAST_RATE must be .*, 1 to 1000"),
        ({"BROADCAST_RATE": "0.5"}, "BROADCAST_RATE must be .*, 1 to 1000"),
        ({"BROADCAST_RATE": "1000.5"}, "BROADCAST_RATE must be .*, 1 to 1000"),
        ({"BROADCAST_RATE": "31"}, "BROADCAST_RATE above 30 needs PAID_BROADCAST=true"),
        ({"PAID_BROADCAST": "maybe"}, "PAID_BROADCAST must be true or false"),
    ],
)
def test_bad_settings_say_what_to_fix(values, message):
    values = {"TELEGRAM_BOT_TOKEN": TOKEN, **values} if values else values
    with pytest.raises(ConfigError, match=message) as caught:
        parse_settings(values)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        (
            "EST",
            "DEFAULT_TIMEZONE 'EST' is an abbreviation, read by tzdata as America/Panama, which"
            " never changes for daylight saving: name the place instead, like America/New_York",
        ),
        ("MST", "read by tzdata as America/Phoenix, .* like America/Denver"),
        ("PRC", "read by tzdata as Asia/Shanghai, .* like Asia/Shanghai"),
        (
            "Etc/GMT+5",
            r"DEFAULT_TIMEZONE 'Etc/GMT\+5' is a fixed UTC offset: an IANA zone, but refused on"
            r" purpose \(it never follows daylight saving",
        ),
        ("etc/gmt-3", "is a fixed UTC offset: an IANA zone, but refused on purpose"),
    ],
)
def test_abbreviations_without_daylight_saving_and_fixed_offsets_are_refused_and_said_why(
    zone, message
):
    with pytest.raises(ConfigError, match=message) as caught:
        parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DEFAULT_TIMEZONE": zone})
    assert "not an IANA timezone" not in str(caught.value)


@pytest.mark.parametrize(
    ("zone", "key"),
    [("UTC", "UTC"), ("CET", "Europe/Brussels"), ("Europe/Berlin", "Europe/Berlin")],
)
def test_abbreviations_that_keep_daylight_saving_and_utc_are_accepted(zone, key):
    assert (
        parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DEFAULT_TIMEZONE": zone}).default_timezone
        == key
    )


def test_every_bad_setting_is_reported_at_once():
    values = {
        "TELEGRAM_BOT_TOKEN": "12345",
        "DEFAULT_TIMEZONE": "EST",
        "LOG_LEVEL": "LOUD",
        "PAID_BROADCAST": "maybe",
        "BROADCAST_RATE": "50",  # not judged against PAID_BROADCAST, which is unreadable
    }
    with pytest.raises(ConfigError) as caught:
        parse_settings(values)
    assert [problem.split(" ")[0] for problem in caught.value.problems] == [
        "TELEGRAM_BOT_TOKEN",
        "DEFAULT_TIMEZONE",
        "LOG_LEVEL",
        "PAID_BROADCAST",
    ]
    assert str(caught.value) == caught.value.problems[0]


def test_a_webhook_secret_without_a_url_is_a_configuration_error():
    with pytest.raises(ConfigError) as caught:
        parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": WEBHOOK["WEBHOOK_SECRET"]})
    assert caught.value.problems == (
        "WEBHOOK_SECRET is set but WEBHOOK_URL is not: set WEBHOOK_URL for a webhook,"
        " or remove WEBHOOK_SECRET for long polling",
    )


def test_misspelled_variables_get_a_did_you_mean_and_others_are_left_alone(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DATABSE_PATH=/srv/bot.db\nLOG_LEVL=DEBUG\n")
    environ = {"database_path": "x", "PATH": "/bin", "TELEGRAM_API_ID": "7", "HOME": "/root"}
    assert misspelled_variables(environ, env_file) == [
        "DATABSE_PATH is not a setting of this bot: did you mean DATABASE_PATH?",
        "LOG_LEVL is not a setting of this bot: did you mean LOG_LEVEL?",
        "database_path is not a setting of this bot: did you mean DATABASE_PATH?",
    ]


def test_every_variable_is_in_the_env_example():
    example = (Path(__file__).parent.parent / ".env.example").read_text()
    for name in VARIABLE_NAMES:
        assert re.search(rf"^#?{name}=", example, flags=re.MULTILINE), name


def test_error_for_a_bad_token_does_not_echo_it():
    secret = "999:short"
    with pytest.raises(ConfigError) as caught:
        parse_settings({"TELEGRAM_BOT_TOKEN": secret})
    assert secret not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["https://api.telegram.org/bot", "http://127.0.0.1:8081/bot", "https://h.example/x/bot"]
)
def test_base_urls_that_end_in_bot_are_accepted(url):
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": url})
    assert settings.api_base_url == url


def test_error_for_a_bad_base_url_does_not_echo_it():
    pasted = f"https://api.telegram.org/bot{TOKEN}"
    with pytest.raises(ConfigError) as caught:
        parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": pasted})
    assert TOKEN.split(":")[1] not in str(caught.value)


def test_raw_token_is_read_even_when_the_settings_are_wrong(tmp_path):
    environ = {"TELEGRAM_BOT_TOKEN": " 1:not-valid ", "LOG_LEVEL": "LOUD"}
    assert raw_token(environ, tmp_path / "missing.env") == "1:not-valid"


def test_metrics_are_off_by_default_and_listen_on_loopback():
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (settings.metrics_port, settings.metrics_listen) == (None, "127.0.0.1")
    on = {"TELEGRAM_BOT_TOKEN": TOKEN, "METRICS_PORT": "9464", "METRICS_LISTEN": "::1"}
    assert (parse_settings(on).metrics_port, parse_settings(on).metrics_listen) == (9464, "::1")


WEBHOOK = {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "s3cret_-" * 4}


def test_long_polling_and_text_logs_by_default():
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (settings.webhook_url, settings.webhook_secret) == (None, None)
    assert (settings.webhook_listen, settings.webhook_port) == ("127.0.0.1", 8443)
    assert settings.log_format == "text"


def test_webhook_settings_are_read_and_the_secret_stays_out_of_the_repr():
    values = {"TELEGRAM_BOT_TOKEN": TOKEN, **WEBHOOK, "WEBHOOK_LISTEN": "0.0.0.0"}
    settings = parse_settings({**values, "WEBHOOK_PORT": "9000", "LOG_FORMAT": "JSON"})
    assert settings.webhook_url == "https://bot.example.org/telegram"
    assert settings.webhook_path == "/telegram"
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 9000)
    assert settings.log_format == "json"
    assert WEBHOOK["WEBHOOK_SECRET"] not in repr(settings)


@pytest.mark.parametrize(
    "url",
    [
        "https://bot.example.org",
        "https://bot.example.org:88/x/y",
        "https://bot.example.org:8443/",
        "http://127.0.0.1:8081/hook",
        "http://localhost/hook",
    ],
)
def test_webhook_urls_telegram_can_post_to_are_accepted(url):
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **WEBHOOK, "WEBHOOK_URL": url})
    assert settings.webhook_url == url


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"METRICS_PORT": "0"}, "METRICS_PORT must be a TCP port number, 1 to 65535"),
        ({"METRICS_PORT": "65536"}, "METRICS_PORT must be a TCP port number, 1 to 65535"),
        ({"METRICS_PORT": "http"}, "METRICS_PORT must be a TCP port number, 1 to 65535"),
        ({"METRICS_LISTEN": "localhost"}, "METRICS_LISTEN must be an IP address to listen on"),
    ],
)
def test_bad_metrics_settings_say_what_to_fix(values, message):
    with pytest.raises(ConfigError, match=message):
        parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **values})


def test_the_database_path_is_read_without_a_token(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_PATH=/srv/bot.db\nTELEGRAM_BOT_TOKEN=\n")
    assert database_path({}, tmp_path / ".env") == Path("/srv/bot.db")
    assert database_path({}, tmp_path / "missing.env") == Path("data/gutbone.db")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"LOG_FORMAT": "yaml"}, "LOG_FORMAT must be text or json"),
        (
            {"WEBHOOK_SECRET": " "},  # blank: not set
            "WEBHOOK_SECRET is required with WEBHOOK_URL: "
            "16 to 256 characters of A-Z, a-z, 0-9, _ and -",
        ),
        (
            {"WEBHOOK_SECRET": "short-secret"},
            "WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - "
            "(it has 12, too few to be hard to guess)",
        ),
        (
            {"WEBHOOK_SECRET": "a secret with spaces in it"},
            "WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - "
            "(it has other characters)",
        ),
        (
            {"WEBHOOK_SECRET": "ünïcödé-but-long-enough"},
            "WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - "
            "(it has other characters)",
        ),
        (
            {"WEBHOOK_SECRET": "x" * 257},
            "WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (it has 257)",
        ),
        (
            {"WEBHOOK_URL": "bot.example.org/hook"},
            "WEBHOOK_URL must be an https URL, like https://bot.example.org/telegram",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.org/hook?key=1"},
            "WEBHOOK_URL must be an https URL, like https://bot.example.org/telegram",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.org:99999/hook"},
            "WEBHOOK_URL must be an https URL, like https://bot.example.org/telegram",
        ),
        (
            {"WEBHOOK_URL": "http://bot.example.org/hook"},
            "WEBHOOK_URL must use https (plain http only on 127.0.0.1 or localhost)",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.org:8080/hook"},
            "WEBHOOK_URL's port must be one Telegram posts to: 443, 80, 88, 8443",
        ),
        (
            {"WEBHOOK_LISTEN": "example.org"},
            "WEBHOOK_LISTEN must be an IP address to listen on, like 127.0.0.1 or 0.0.0.0",
        ),
        ({"WEBHOOK_PORT": "0"}, "WEBHOOK_PORT must be a TCP port number, 1 to 65535"),
        ({"WEBHOOK_PORT": "65536"}, "WEBHOOK_PORT must be a TCP port number, 1 to 65535"),
        ({"WEBHOOK_PORT": "https"}, "WEBHOOK_PORT must be a TCP port number, 1 to 65535"),
    ],
)
def test_bad_webhook_and_log_settings_say_exactly_what_to_fix(values, message):
    with pytest.raises(ConfigError) as caught:
        parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **WEBHOOK, **values})
    assert str(caught.value) == message
    assert WEBHOOK["WEBHOOK_SECRET"] not in str(caught.value)


def test_a_bad_webhook_secret_is_never_echoed():
    for secret in ("tooshort", "has spaces but is long enough"):
        with pytest.raises(ConfigError) as caught:
            parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **WEBHOOK, "WEBHOOK_SECRET": secret})
        assert secret not in str(caught.value)


def test_every_setting_is_in_the_readme_and_env_example():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    example = (root / ".env.example").read_text(encoding="utf-8")
    for variable in ["TELEGRAM_BOT_TOKEN", *(name for name, _ in _VARIABLES.values())]:
        assert f"| `{variable}` |" in readme, variable
        assert re.search(rf"^#?{variable}=", example, re.MULTILINE), variable


def test_every_configured_secret_is_known_for_redaction_even_if_invalid(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("WEBHOOK_SECRET=short\n")
    assert raw_secrets({"TELEGRAM_BOT_TOKEN": " not-a-token "}, env_file) == [
        "not-a-token",
        "short",
    ]
    assert raw_secrets({}, tmp_path / "missing.env") == []
