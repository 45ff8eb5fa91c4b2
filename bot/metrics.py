"""Prometheus metrics: deliveries by outcome, 429s, the gateway's queue, sweeps, reply latency.

The metrics live in their own `CollectorRegistry` (not the process-wide default), so two bots in
one test process never collide. They are always counted — a counter costs nanoseconds — and
served over HTTP only when `METRICS_PORT` is set.

Reply latency is measured from the moment python-telegram-bot starts processing an update
(`mark_received`, the first handler group) to the moment Telegram accepted the reply: a
context variable carries the start through the handler, so nothing is kept per update.
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import ContextVar
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

logger = logging.getLogger(__name__)

_received_at: ContextVar[float | None] = ContextVar("received_at", default=None)
_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)
_SWEEP_BUCKETS = (0.1, 1, 10, 60, 300, 1800, 3600, 4 * 3600, 12 * 3600)


class MetricsUnavailable(Exception):
    """The metrics endpoint cannot listen where `METRICS_LISTEN`/`METRICS_PORT` say."""


class Metrics:
    """The bot's metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "gutbone_deliveries",
            "Daily tips by final outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "gutbone_rate_limited", "429 answers from Telegram", registry=self.registry
        )
        self.queue_depth = Gauge(
            "gutbone_gateway_queue_depth",
            "Messages waiting in the outbound gateway",
            registry=self.registry,
        )
        self.sweep_seconds = Histogram(
            "gutbone_sweep_seconds",
            "Duration of the delivery sweeps",
            buckets=_SWEEP_BUCKETS,
            registry=self.registry,
        )
        self.reply_seconds = Histogram(
            "gutbone_reply_seconds",
            "From an update's processing start to Telegram accepting the reply",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def replied(self) -> None:
        """A reply was sent: observe its latency, if its update's start is known."""
        started = _received_at.get()
        if started is not None:
            self.reply_seconds.observe(time.monotonic() - started)


def mark_received() -> None:
    """Remember when this update's processing started (for its reply's latency)."""
    _received_at.set(time.monotonic())


class MetricsServer:
    """The `/metrics` endpoint, on a thread of its own (`prometheus_client`'s server)."""

    def __init__(self, metrics: Metrics, listen: str, port: int) -> None:
        self._metrics = metrics
        self._listen = listen
        self._port = port
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            self._server, self._thread = start_http_server(
                self._port, self._listen, registry=self._metrics.registry
            )
        except OSError as exc:
            raise MetricsUnavailable(
                f"cannot serve metrics on {self._listen} port {self._port} ({exc.strerror});"
                " choose another METRICS_PORT or unset it"
            ) from None
        logger.info("Metrics at http://%s:%d/metrics", self._listen, self._port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
