"""Prometheus metrics: deliveries by outcome, 429s, sweeps, reply latency — and gauges to alert
on: subscribers by state, the due backlog, the last sweep, the delivery lease, the gateway's
queue by priority (`deploy/prometheus/alerts.yml` uses them).

The metrics live in their own `CollectorRegistry` (not the process-wide default), so two bots in
one test process never collide. Counters are always counted — a counter costs nanoseconds —
and start at 0 for every outcome, so a rate is defined before the first delivery. Gauges are
computed when scraped: the in-memory ones from callbacks the wiring sets, the database ones on
a read-only connection of their own, at most once every `FRESH_FOR` seconds however often
Prometheus asks. Served over HTTP only when `METRICS_PORT` is set, at `/metrics` only.

Reply latency is measured from the moment python-telegram-bot starts processing an update
(`mark_received`, the first handler group) to the moment Telegram accepted the reply: a
context variable carries the start through the handler, so nothing is kept per update.
"""

from __future__ import annotations

import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import WSGIApplication as WSGIApp

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    make_wsgi_app,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import Collector

from scheduler.pacing import Priority
from scheduler.records import DeliveryStatus
from storage import StoreError, gauges, offline

logger = logging.getLogger(__name__)

_received_at: ContextVar[float | None] = ContextVar("received_at", default=None)
_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)
_SWEEP_BUCKETS = (0.1, 1, 10, 60, 300, 1800, 3600, 4 * 3600, 12 * 3600)
FRESH_FOR = 30.0  # seconds one reading of the database serves scrapes (0.5 s at 1M subscribers)
# What a daily tip ends as (pending is on the way, not an outcome).
OUTCOMES = tuple(status for status in DeliveryStatus if status is not DeliveryStatus.PENDING)


class Metrics:
    """The bot's metrics, in a registry of their own; what this process knows of itself
    (`process`) and, when given, the database's gauges are read at each scrape."""

    def __init__(
        self,
        process: ProcessGauges | None = None,
        database: DatabaseGauges | None = None,
    ) -> None:
        disable_created_metrics()  # no `*_created` series: nothing alerts on them
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "gutbone_deliveries",
            "Daily tips by final outcome",
            ["outcome"],
            registry=self.registry,
        )
        # each outcome's series, 0 from the start and looked up once (not per daily tip)
        self._outcomes: dict[str, Counter] = {
            outcome: self.deliveries.labels(outcome=outcome) for outcome in OUTCOMES
        }
        self.sweep_seconds = Histogram(
            "gutbone_sweep_seconds",
            "Duration of the delivery sweeps",
            buckets=_SWEEP_BUCKETS,
            registry=self.registry,
        )
        self.chore_longest_step = Gauge(
            "gutbone_chores_longest_step_seconds",
            "The longest step of the last round of chores (pruning, giving space back):"
            " how long it held the event loop",
            registry=self.registry,
        )
        self.reply_seconds = Histogram(
            "gutbone_reply_seconds",
            "From an update's processing start to Telegram accepting the reply",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(process or ProcessGauges())
        if database is not None:
            self.registry.register(database)

    def count_outcome(self, status: str) -> None:
        """A daily tip ended (the delivery's outcome listener)."""
        series = self._outcomes.get(status) or self.deliveries.labels(outcome=status)
        series.inc()

    def replied(self) -> None:
        """A reply was sent: observe its latency, if its update's start is known."""
        started = _received_at.get()
        if started is not None:
            self.reply_seconds.observe(time.monotonic() - started)


def mark_received() -> None:
    """Remember when this update's processing started (for its reply's latency)."""
    _received_at.set(time.monotonic())


class ProcessGauges(Collector):
    """What this process knows of itself: the gateway's queue by priority and its 429s, and
    whether it holds the delivery lease, read from the gateway and the lease the wiring gives."""

    def __init__(
        self,
        queued: Callable[[], Mapping[Priority, int]] = dict,
        lease_held: Callable[[], bool] = lambda: False,
        rate_limited: Callable[[], int] = lambda: 0,
    ) -> None:
        self.queued = queued
        self.lease_held = lease_held
        self.rate_limited = rate_limited

    def collect(self) -> Iterator[Metric]:
        queue = GaugeMetricFamily(
            "gutbone_gateway_queue_depth",
            "Messages waiting in the outbound gateway, by priority",
            labels=["priority"],
        )
        waiting = self.queued()
        for priority in Priority:
            queue.add_metric([priority.name.lower()], waiting.get(priority, 0))
        yield queue
        yield GaugeMetricFamily(
            "gutbone_delivery_lease_held",
            "1 while this process holds the delivery lease (and sends the daily tips)",
            value=1 if self.lease_held() else 0,
        )
        yield CounterMetricFamily(
            "gutbone_rate_limited", "429 answers from Telegram", value=self.rate_limited()
        )


class DatabaseGauges(Collector):
    """Subscribers by state, the due backlog and the last sweep, from the database."""

    def __init__(self, path: Path, clock: Callable[[], datetime]) -> None:
        self._path = path
        self._clock = clock
        self._lock = threading.Lock()  # scrapes come on threads of their own
        self._read_at: float | None = None
        self._last: gauges.Gauges | None = None

    def collect(self) -> Iterator[Metric]:
        found = self._read()
        yield GaugeMetricFamily(
            "gutbone_database_readable",
            "1 when the metrics could read the database, 0 when not",
            value=0 if found is None else 1,
        )
        if found is not None:
            yield from _database_metrics(found)

    def _read(self) -> gauges.Gauges | None:
        with self._lock:
            now = time.monotonic()
            if self._read_at is None or now - self._read_at >= FRESH_FOR:
                self._last, self._read_at = self._fresh(), now
            return self._last

    def _fresh(self) -> gauges.Gauges | None:
        try:
            with closing(offline.open_readonly(self._path)) as db:
                return gauges.read(db, self._clock())
        except (sqlite3.Error, StoreError, OSError) as exc:
            logger.warning("Metrics could not read the database: %s", exc)
            return None


def _database_metrics(found: gauges.Gauges) -> Iterable[Metric]:
    subscribers = GaugeMetricFamily(
        "gutbone_subscribers", "Subscribers by state (each in exactly one)", labels=["state"]
    )
    for state in ("active", "paused", "inactive", "unreadable"):
        subscribers.add_metric([state], getattr(found, state))
    yield subscribers
    yield GaugeMetricFamily(
        "gutbone_due_backlog", "Subscribers due now whose tip is not claimed yet", found.due_backlog
    )
    yield GaugeMetricFamily(
        "gutbone_database_free_pages",
        "Free pages in the database file: reused by new rows, or given back by the chores",
        found.free_pages,
    )
    yield GaugeMetricFamily(
        "gutbone_database_pages", "Pages in the database file, free ones included", found.pages
    )
    yield GaugeMetricFamily(
        "gutbone_last_sweep_finished_timestamp_seconds",
        "When the last delivery sweep finished (Unix time; 0: none yet)",
        _epoch(found.sweep_finished_at),
    )
    yield GaugeMetricFamily(
        "gutbone_last_sweep_progress_timestamp_seconds",
        "The last sign of a sweep: one finished, or a tip sent in a long one (Unix time)",
        _epoch(found.sweep_progress_at),
    )


def _epoch(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0


class MetricsUnavailable(Exception):
    """The metrics endpoint cannot listen where `METRICS_LISTEN`/`METRICS_PORT` say."""


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per scrape."""


class _Server(ThreadingWSGIServer):
    """Each scrape on a thread of its own; its address family set per instance (IPv6 too)."""


def only_metrics(app: WSGIApp) -> WSGIApp:
    """The metrics at `/metrics`, 404 anywhere else (prometheus_client answers every path)."""

    def serve(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Not found: the metrics are at /metrics\n"]
        return app(environ, start_response)

    return serve


class MetricsServer:
    """The `/metrics` endpoint, on a thread of its own."""

    def __init__(self, metrics: Metrics, listen: str, port: int) -> None:
        self._metrics = metrics
        self._listen = listen
        self._port = port
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        app = only_metrics(make_wsgi_app(self._metrics.registry))
        family = socket.AF_INET6 if ":" in self._listen else socket.AF_INET
        server_class = type("MetricsHTTPServer", (_Server,), {"address_family": family})
        try:
            server: WSGIServer = make_server(self._listen, self._port, app, server_class, _Quiet)
        except OSError as exc:
            raise MetricsUnavailable(
                f"cannot serve metrics on {self._listen} port {self._port} ({exc.strerror});"
                " choose another METRICS_PORT or unset it"
            ) from None
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
        self._thread.start()
        logger.info("Metrics at http://%s:%d/metrics", self._listen, self._port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
