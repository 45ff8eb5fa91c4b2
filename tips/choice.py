"""Which topics a chat's daily tips come from: pure rules on a set of topic ids.

`None` means "all of them" (the default, and what a choice of every topic is stored as), so
a topic added to the library later reaches everyone who never narrowed their choice.
"""

from __future__ import annotations

from collections.abc import Collection


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
