"""The store's smaller facets, each a thin layer over the module that holds its SQL: what chats
keep beside their subscription (votes, check-ins, plants, channels), the rhythm of their
deliveries (quiet, a weekend time, when they left) and what operators read (the lease, events,
the sweep's heartbeat, the figures). `Store` is made of these."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from habits.recap import WeekRecord
from habits.streaks import Streak
from scheduler.due import Schedule
from scheduler.lease import LeaseRow
from scheduler.records import Subscriber
from storage import space
from storage.reports import stats
from storage.rows import RecapState
from storage.tables import (
    channels,
    deliveries,
    events,
    feedback,
    heartbeat,
    lease,
    plants,
    recaps,
    streaks,
    subscribers,
    subscriptions,
)
from storage.tables.events import EventKind
from storage.transaction import Connected


class HabitRecords(Connected):
    """Votes (`storage.tables.feedback`), check-in streaks (`storage.tables.streaks`), the
    plant tally (`storage.tables.plants`), the weekly recap (`storage.tables.recaps`) and the
    channels people subscribed (`storage.tables.channels`)."""

    def vote(self, chat_id: int, tip_id: str, value: int, now: datetime) -> int | None:
        """Record a 👍 (1) or 👎 (-1) on a tip, replacing the chat's earlier vote (returned)."""
        with self.transaction():
            before = feedback.vote(self.db, self.tips, chat_id, tip_id, value)
            recaps.voted(self.db, chat_id, self.tips.number(tip_id), value, now)
            return before

    def vote_of(self, chat_id: int, tip_id: str) -> int | None:
        return feedback.vote_of(self.db, self.tips, chat_id, tip_id)

    def chat_votes(self, chat_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Each of these chats' votes (tip id → 1 or -1), for those that have any: what
        /tip's rotation learns from (`tips.choice`); a claim batch reads `vote_masks`."""
        return feedback.of_chats(self.db, self.tips, chat_ids)

    def vote_masks(self, chat_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Each of these chats' votes as bitmasks over tip numbers (👍'd, 👎'd), for those
        that have any: what a claim batch's rotation learns from (`tips.rotation.votes_in`)."""
        return feedback.masks_of_chats(self.db, chat_ids)

    def check_in(self, chat_id: int, day: date) -> bool:
        """Record the chat's ✅ for local `day`; False if it had one already. Only the day is
        asked for: the streak keeps nothing else (`storage.tables.streaks`)."""
        with self.transaction():
            return streaks.check_in(self.db, chat_id, day)

    def checked_in(self, chat_id: int, day: date) -> bool:
        """Whether local `day` has a ✅ (days more than a month before the last one: False)."""
        return streaks.checked_in(self.db, chat_id, day)

    def streak_of(self, chat_id: int, today: date) -> Streak:
        """The chat's current and longest streak on its local `today` (`habits.streaks`)."""
        return streaks.streak_of(self.db, chat_id, today)

    def feedback_counts(self) -> dict[str, feedback.Votes]:
        """👍 and 👎 per tip id, for the curators' `tips stats`."""
        return feedback.counts(self.db)

    def add_plants(self, chat_id: int, week: date, names: Sequence[str]) -> list[str]:
        """Add plants to the chat's local `week` (its Monday); those not there yet, in order.
        A new week drops the chat's weeks before the previous one (`storage.tables.plants`)."""
        with self.transaction():
            return plants.add(self.db, chat_id, week, names)

    def plants_of(self, chat_id: int, week: date) -> list[str]:
        """The chat's plants of local `week`, in the order they were added."""
        return plants.of_week(self.db, chat_id, week)

    def prune_plants(self, before: date, limit: int) -> int:
        """Delete up to `limit` plant weeks (of any chat) whose Monday is before `before`: a
        sweep chore, for chats that stopped adding. No chat's current or previous week starts
        before UTC today - 14 days, so that is the `before` to pass."""
        with self.transaction():
            return plants.prune(self.db, before, limit)

    def recap_state(self, chat_id: int) -> RecapState | None:
        """The weekly recap's setting and record (`storage.tables.recaps`); None: no row."""
        return recaps.state(self.db, chat_id)

    def week_record(self, chat_id: int, week: date) -> WeekRecord | None:
        """What the weekly recap is decided from (`habits.recap`), with the plants of `week`
        (a Monday); None for a chat with no row."""
        found = recaps.state(self.db, chat_id)
        if found is None:
            return None
        liked = None if found.liked_tip is None else self.tips.tip_id(found.liked_tip)
        counted = len(plants.of_week(self.db, chat_id, week))
        tally = streaks.tally(self.db, chat_id)
        return WeekRecord(
            tally, week, counted, liked, found.liked_at, found.recapped, wanted=found.wanted
        )

    def set_weekly_recap(self, chat_id: int, wanted: bool, now: datetime) -> bool:
        """Turn the chat's weekly recap on or off; False if the chat has no row."""
        return recaps.set_wanted(self.db, chat_id, wanted, now)

    def claim_recap_week(self, chat_id: int, week: date) -> bool:
        """Take the recap of `week` for sending now; False if it was taken before."""
        return recaps.claim_week(self.db, chat_id, week)

    def add_channel(
        self, owner_chat_id: int, channel_id: int, name: str, default: Schedule, now: datetime
    ) -> tuple[Subscriber, bool]:
        """Subscribe a channel and remember who did; as `subscribe`, True if newly active."""
        with self.transaction():
            subscribed = subscriptions.subscribe(self.db, channel_id, "channel", default, now)
            channels.add(self.db, owner_chat_id, channel_id, name, now)
        return subscribed

    def channels_of(self, owner_chat_id: int) -> list[tuple[int, str]]:
        """(channel id, name) of the channels a person subscribed, oldest first."""
        return channels.of_owner(self.db, owner_chat_id)

    def remove_channel(self, channel_id: int, now: datetime) -> bool:
        """Unsubscribe a channel and forget it for every owner; True if it was active."""
        with self.transaction():
            was_active = subscriptions.unsubscribe(self.db, channel_id, now)
            channels.forget(self.db, channel_id)
        return was_active


class RhythmRecords(Connected):
    """When and how daily tips arrive beside the subscription itself
    (`storage.tables.subscriptions`): quiet delivery, a weekend time; and when a chat last
    left (`storage.tables.subscribers.left_at`), so /start can tell a return."""

    def set_quiet(
        self, chat_id: int, quiet: bool, now: datetime, *, chat_type: str, default: Schedule
    ) -> Subscriber:
        return subscriptions.set_quiet(
            self.db, chat_id, quiet, now, chat_type=chat_type, default=default
        )

    def set_weekend_time(
        self, chat_id: int, at: time | None, now: datetime, *, chat_type: str, default: Schedule
    ) -> Subscriber:
        """`at` on Saturdays and Sundays (None: the weekday time), exactly once a day still."""
        return subscriptions.set_weekend_time(
            self.db, chat_id, at, now, chat_type=chat_type, default=default
        )

    def left_at(self, chat_id: int) -> datetime | None:
        return subscribers.left_at(self.db, chat_id)


class OperatorRecords(Connected):
    """The delivery lease (`storage.tables.lease`), old delivery records pruned, events
    (`storage.tables.events`), the sweep's heartbeat (`storage.tables.heartbeat`), the
    operator's figures (`storage.reports.stats`), and the file's free pages given back
    (`storage.space`)."""

    def acquire_lease(
        self,
        holder: str,
        now: datetime,
        ttl: float,
        *,
        process: str | None = None,
        dead: str | None = None,
    ) -> bool:
        """Take the delivery lease, or extend it if `holder` has it; False while another
        process holds it unexpired, unless that holder is `dead` (see `storage.tables.lease`)."""
        return lease.acquire(self.db, holder, now, ttl, process=process, dead=dead)

    def lease_row(self) -> LeaseRow | None:
        """Who holds (or last held) the delivery lease, its process, when it lapses."""
        return lease.row(self.db)

    def renew_lease(self, holder: str, now: datetime, ttl: float) -> bool:
        """Extend the lease `holder` has; False if another process has taken it meanwhile."""
        return lease.renew(self.db, holder, now, ttl)

    def release_lease(self, holder: str) -> None:
        """Give the lease up (a clean stop), so a standby takes over without waiting."""
        lease.release(self.db, holder)

    _prune_after: int | None = None  # where the walk of `prune_deliveries` is
    _pruned_for: date | None = None  # the UTC date of its last whole walk

    def prune_deliveries(self, before: datetime, limit: int) -> int:
        """One step of pruning delivery records of local days before `before` (exactly-once
        needs only the current day; `/stats` the UTC days today and yesterday): the next
        `limit` records in key order, after where the last step ended
        (`deliveries.prune`). Returns the records looked at: fewer than `limit` when the
        walk reached the end of the table. Records only become old as the UTC date moves, so
        after a whole walk for one date the next waits for the next date (0 looked at)."""
        cut = before.astimezone(UTC).date()
        if self._prune_after is None and self._pruned_for == cut:
            return 0
        with self.transaction():
            looked, self._prune_after = deliveries.prune(self.db, before, self._prune_after, limit)
        if self._prune_after is None:
            self._pruned_for = cut
        return looked

    def record_event(self, kind: EventKind, now: datetime) -> None:
        """Remember that something an operator counts happened (a 429, for instance)."""
        events.record(self.db, kind, now)

    def prune_events(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` events older than `before`."""
        return events.prune(self.db, before, limit)

    def file_space(self) -> space.Space:
        """The file's pages and free pages (`storage.space`): the free-page gauge."""
        return space.measure(self.db)

    def give_back_space(self, pages: int) -> int:
        """Cut up to `pages` free pages off the end of the file; how many went (0 where
        incremental auto-vacuum is not on yet: `storage.space`). Outside a transaction."""
        return space.give_back(self.db, pages)

    def sweep_started(self, holder: str, now: datetime) -> None:
        heartbeat.started(self.db, holder, now)

    def sweep_progressed(self, now: datetime) -> None:
        heartbeat.progressed(self.db, now)

    def sweep_finished(self, now: datetime, seconds: float) -> None:
        heartbeat.finished(self.db, now, seconds)

    def stats(self, now: datetime) -> stats.Stats:
        """The operator's figures (`storage.reports.stats`)."""
        return stats.gather(self.db, now)
