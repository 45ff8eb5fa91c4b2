"""When, and the engine that delivers on time: pure time rules — who is due when (`due`), which
zones exist (`zones`), Telegram's flood limits as arithmetic (`pacing`), backoffs (`backoff`) —
and the delivery engine: a day's tip as one state machine (`lifecycle`), what a send can end in
(`outcomes`), what it needs from storage (`records`), the sweep (`delivery`), when sweeps run
(`engine`) and who may run them (`lease`).

The modules below are the package's public surface; `claiming`, `attempts` and `recording`
are the sweep's own parts, used through `delivery`.
"""

__all__ = [
    "backoff",
    "delivery",
    "due",
    "engine",
    "lease",
    "lifecycle",
    "outcomes",
    "pacing",
    "records",
    "zones",
]
