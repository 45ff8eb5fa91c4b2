"""What a chat chose, by tapping: the topics its daily tips come from, and what its 👍/👎 taps
teach its rotation (the tips it no longer gets, the topics it gets more of). Pure rules.

Topics: `None` means "all of them" (the default, and what a choice of every topic is stored
as), so a topic added to the library later reaches everyone who never narrowed their choice.

Taps, from the chat's stored votes (one per tip; the latest tap wins):
- A tip the chat 👎'd leaves its rotation for good (`excluded`), unless it turns that vote
  into a 👍. Were every tip of a pool 👎'd, nothing is left out of it: a tip it did not like
  beats no tip at all.
- Each topic of the pool weighs `clamp(1 + 0.25 × (👍 − 👎), 0.5, 2.0)`, counting the
  chat's votes on that topic's tips (`topic_weight`). A weight scales the pace at which the
  rotation goes through a topic (`tips.rotation`), and so, per tip, how often it comes up:
  against a topic of weight 1, one of weight 2 comes up nearly twice as often, one of weight
  0.5 a little over half as often. Every topic still comes up in every cycle, so a topic the
  chat chose never disappears. Two 👎 more than 👍 reach the floor; four 👍 more than 👎
  the ceiling.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field


class LastTopic(ValueError):
    """Switching this topic off would leave none: at least one stays on."""


def is_chosen(chosen: Collection[str] | None, topic_id: str) -> bool:
    return chosen is None or topic_id in chosen


def toggle_topic(
    chosen: Collection[str] | None, topic_id: str, all_ids: Collection[str]
) -> frozenset[str] | None:
    """The choice after a tap on `topic_id`; None when every topic is on again.

    Ids no longer in the library are dropped. Raises `LastTopic` rather than leave none on.
    """
    current = frozenset(all_ids) if chosen is None else frozenset(chosen) & frozenset(all_ids)
    after = current - {topic_id} if topic_id in current else current | {topic_id}
    if not after:
        raise LastTopic(topic_id)
    return None if after == frozenset(all_ids) else after


# Taps --------------------------------------------------------------------------------------

STEP = 0.25  # how far one vote moves its topic's weight
LOWEST = 0.5  # the weight of a topic however disliked: it still comes up
HIGHEST = 2.0  # ... and however liked: the others still come up


def topic_weight(up: int, down: int) -> float:
    """The weight of a topic the chat voted 👍 `up` and 👎 `down` times on (1: no votes).

    A multiple of 0.25, so weighted shares compare exactly (`tips.rotation`).
    """
    return min(HIGHEST, max(LOWEST, 1 + STEP * (up - down)))


@dataclass(frozen=True)
class Taste:
    """A chat's votes, applied to one pool: the tips it left out, each topic's weight (topics
    not named weigh 1). `Taste()` is a chat that never voted."""

    excluded: frozenset[str] = frozenset()
    weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def neutral(self) -> bool:
        return not self.excluded and not self.weights

    def weight(self, topic: str) -> float:
        return self.weights.get(topic, 1.0)


NO_TASTE = Taste()


def taste_of(votes: Mapping[str, int], topic_of: Mapping[str, str]) -> Taste:
    """The chat's `votes` (tip id → 1 for 👍, -1 for 👎) applied to a pool, given as its
    tips' topics (tip id → topic): its 👎'd tips in the pool (none if that would be all of
    them), and its pool topics' weights.

    Votes on tips outside the pool (another topic, a retired tip) change nothing here.
    """
    tally: dict[str, list[int]] = {}
    excluded = set()
    for tip_id, vote in votes.items():
        topic = topic_of.get(tip_id)
        if topic is None:
            continue
        tally.setdefault(topic, [0, 0])[0 if vote > 0 else 1] += 1
        if vote < 0:
            excluded.add(tip_id)
    if len(excluded) == len(topic_of):  # nothing would be left: leave nothing out
        excluded.clear()
    weights = {topic: topic_weight(up, down) for topic, (up, down) in tally.items()}
    return Taste(
        excluded=frozenset(excluded),
        weights={topic: weight for topic, weight in weights.items() if weight != 1.0},
    )
