"""/stats for operators (also printed by `gutbone-bot stats`): plain lines, not HTML."""

from __future__ import annotations

from datetime import datetime

from storage import Heartbeat, Stats, TipVotes


def render_stats(stats: Stats) -> str:
    """The operator's figures, plain lines (also printed by `gutbone-bot stats`)."""
    paused = "—" if stats.paused is None else str(stats.paused)
    lines = [
        f"📊 GutBone Daily, {stats.at:%Y-%m-%d %H:%M} UTC",
        f"Subscribers: {stats.active} active, paused {paused}, {stats.inactive} inactive",
        f"Last 7 days: {stats.joined_7d} joined, {stats.left_7d} left",
        f"Tips sent (UTC days): {stats.sent_today} today, {stats.sent_yesterday} yesterday",
        f"Due now, not yet claimed: {stats.due_backlog}",
        f"Last sweep: {render_sweep(stats.last_sweep, stats.at)}",
        f"Last 24 h: {stats.rate_limited_24h} × 429, {stats.failed_24h} failed deliveries",
        render_tip_feedback(stats.tip_feedback),
    ]
    if stats.unreadable:
        lines.insert(2, f"Unreadable rows (no tips until fixed): {stats.unreadable}")
    return "\n".join(lines)


def render_tip_feedback(votes: tuple[TipVotes, ...]) -> str:
    """The best and worst tips by 👍 − 👎, on one line (best first)."""
    if not votes:
        return "Top and bottom tips by 👍/👎: no feedback collected yet"
    shown = ", ".join(f"{v.tip_id} {v.up}/{v.down}" for v in votes)
    return f"Top and bottom tips by 👍/👎: {shown}"


def render_sweep(beat: Heartbeat | None, now: datetime) -> str:
    if beat is None:
        return "none yet"
    if beat.running:
        ago = (now - beat.started_at).total_seconds()
        return f"running since {beat.started_at:%H:%M:%S} UTC ({ago:.0f} s)"
    assert beat.finished_at is not None and beat.seconds is not None, "a finished sweep"
    ago = (now - beat.finished_at).total_seconds()
    return f"{beat.finished_at:%H:%M:%S} UTC ({ago:.0f} s ago), took {beat.seconds:.1f} s"
