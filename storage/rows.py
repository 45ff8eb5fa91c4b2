"""Stored subscriber rows into values, where one bad row must never stop everyone.

Each column has a reader (a table, not an if-chain). A row whose timezone does not load, whose
time does not parse, or that holds any other garbage still becomes a `Subscriber`: inactive,
with fallback settings for the unreadable columns and a `problem` saying what is wrong. The
store logs it once, takes it out of the delivery queue, and repairs it when the chat next
stores settings (`/start`, `/time`, `/timezone`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.due import Schedule, delivered_day
from scheduler.records import Subscriber

Row = Mapping[str, Any]

#: What a reader raises for garbage: zoneinfo alone can raise four of these.
GARBAGE = (ValueError, TypeError, KeyError, OSError, OverflowError)

#: Shown for unreadable settings until the chat stores its own (then `default` is used).
FALLBACK = Schedule(time(8, 0), ZoneInfo("UTC"))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not text but {type(value).__name__}")
    return value


def _clock_time(value: object) -> time:
    return time.fromisoformat(_text(value))


def _zone(value: object) -> ZoneInfo:
    return ZoneInfo(_text(value))


def _instant(value: object) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"not epoch seconds but {type(value).__name__}")
    return datetime.fromtimestamp(value, UTC)


def _optional_instant(value: object) -> datetime | None:
    return None if value is None else _instant(value)


def _flag(value: object) -> bool:
    if value not in (0, 1):
        raise ValueError("not 0 or 1")
    return bool(value)


#: column -> (reader, what to use when it cannot be read)
_READERS: dict[str, tuple[Callable[[object], object], Callable[[Schedule], object]]] = {
    "chat_type": (_text, lambda fallback: "private"),
    "active": (_flag, lambda fallback: False),
    "delivery_time": (_clock_time, lambda fallback: fallback.at),
    "timezone": (_zone, lambda fallback: fallback.timezone),
    "schedule_since": (_instant, lambda fallback: None),
    "last_delivered_at": (_optional_instant, lambda fallback: None),
}


def _topics(value: object) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(topic for topic in _text(value).split(",") if topic) or None


#: Preferences that never make a row unusable: an unreadable one reads as "not chosen".
_PREFERENCES: dict[str, Callable[[object], object]] = {
    "topics": _topics,
    "paused_until": _optional_instant,
    "quiet": _flag,
    "weekend_time": _clock_time,
}


def _preferences(row: Row) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, read in _PREFERENCES.items():
        try:
            values[column] = read(row[column]) if column in row else None
        except GARBAGE:
            values[column] = None
    return values


def topics_column(topics: frozenset[str] | None) -> str | None:
    """How a choice of topics is stored (None: all of them)."""
    return ",".join(sorted(topics)) if topics else None


def parse_subscriber(row: Row, fallback: Schedule) -> Subscriber:
    """The subscriber a row describes, judged by its columns alone."""
    try:
        return _parse_good(row)
    except GARBAGE:
        return _parse_with_problems(row, fallback)


def _parse_good(row: Row) -> Subscriber:
    """A row whose every column reads (nearly all of them): read straight through, as each
    claim batch reads 50 (the careful way, column by column, cost a third more)."""
    schedule = Schedule(
        _clock_time(row["delivery_time"]),
        _zone(row["timezone"]),
        _instant(row["schedule_since"]),
        paused_until=_lenient(_optional_instant, row.get("paused_until")),
        weekend_at=_lenient(_clock_time, row.get("weekend_time")),
    )
    return Subscriber(
        chat_id=row["chat_id"],
        chat_type=_text(row["chat_type"]),
        active=_flag(row["active"]),
        schedule=schedule,
        last_delivery=delivered_day(schedule, _optional_instant(row["last_delivered_at"])),
        topics=_lenient(_topics, row.get("topics")),
        quiet=bool(_lenient(_flag, row.get("quiet"))),
    )


def _lenient(read: Callable[[object], Any], value: object) -> Any:
    """A preference's value; an unreadable one reads as "not chosen" (None)."""
    try:
        return None if value is None else read(value)
    except GARBAGE:
        return None


def _parse_with_problems(row: Row, fallback: Schedule) -> Subscriber:
    """A row with an unreadable column: fallback values for those, and the problem named."""
    values: dict[str, Any] = {}
    problems = []
    for column, (read, substitute) in _READERS.items():
        try:
            values[column] = read(row[column])
        except GARBAGE as exc:
            values[column] = substitute(fallback)
            problems.append(f"{column} {row[column]!r} is unreadable ({exc})")
    preferences = _preferences(row)
    schedule = Schedule(
        values["delivery_time"],
        values["timezone"],
        values["schedule_since"],
        paused_until=preferences["paused_until"],
        weekend_at=preferences["weekend_time"],
    )
    return Subscriber(
        chat_id=row["chat_id"],
        chat_type=values["chat_type"],
        active=values["active"] and not problems,
        schedule=schedule,
        last_delivery=delivered_day(schedule, values["last_delivered_at"]),
        problem="; ".join(problems) or None,
        topics=preferences["topics"],
        quiet=bool(preferences["quiet"]),
    )


def read_subscriber(row: Row, fallback: Schedule) -> Subscriber:
    """As `parse_subscriber`, and inactive while the row is flagged with a problem."""
    subscriber = parse_subscriber(row, fallback)
    if subscriber.problem is None and row["problem"] is not None:
        return replace(subscriber, active=False, problem=row["problem"])
    return subscriber


def repairs(row: Row, default: Schedule, now: datetime) -> dict[str, object]:
    """New values for the unreadable settings columns of `row`: the chat's defaults."""
    good = {
        "delivery_time": default.at.strftime("%H:%M"),
        "timezone": default.timezone.key,
        "schedule_since": int(now.timestamp()),
        "last_delivered_at": None,
    }
    broken = {}
    for column, value in good.items():
        try:
            _READERS[column][0](row[column])
        except GARBAGE:
            broken[column] = value
    return broken


@dataclass(frozen=True)
class RecapState:
    """The weekly recap's columns of a subscriber row (migration 18): whether the chat wants
    the recap, the Monday of the last week recapped, the latest 👍 tip's number and when."""

    wanted: bool = True
    recapped: date | None = None
    liked_tip: int | None = None
    liked_at: datetime | None = None


def _wanted(value: object) -> bool:
    return True if value is None else _flag(value)


def _optional_day(value: object) -> date | None:
    return None if value is None else date.fromisoformat(_text(value))


def _optional_number(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"not a number but {type(value).__name__}")
    return value


#: column -> (reader, what an unreadable value reads as): the defaults, as for a new chat.
_RECAP_READERS: dict[str, tuple[Callable[[object], object], object]] = {
    "weekly_recap": (_wanted, True),
    "recap_week": (_optional_day, None),
    "liked_tip": (_optional_number, None),
    "liked_at": (_optional_instant, None),
}


def read_recap(row: Row) -> RecapState:
    """The recap's columns; garbage in one reads as its default and never stops the others
    (an unreadable week may mean one recap too many, never a chat left out for good)."""
    values: dict[str, Any] = {}
    for column, (read, default) in _RECAP_READERS.items():
        try:
            values[column] = read(row.get(column))
        except GARBAGE:
            values[column] = default
    return RecapState(
        values["weekly_recap"], values["recap_week"], values["liked_tip"], values["liked_at"]
    )
