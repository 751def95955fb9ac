"""Prometheus metrics of the event flow, labelled by service (and consumer)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_APPENDED = Counter(
    "lapak_events_appended_total", "Events appended to the event store", ["service", "event_type"]
)
EVENTS_PUBLISHED = Counter(
    "lapak_events_published_total", "Outbox rows published to Kafka", ["service"]
)
EVENTS_CONSUMED = Counter(
    "lapak_events_consumed_total",
    "Events applied by a consumer",
    ["consumer", "event_type"],
)
DUPLICATES_SKIPPED = Counter(
    "lapak_duplicates_skipped_total", "Redelivered events skipped by the inbox", ["consumer"]
)
DEAD_LETTERS = Counter(
    "lapak_dead_letters_total", "Events sent to a dead-letter topic", ["consumer", "topic"]
)
EVENTS_PARKED = Counter(
    "lapak_events_parked_total", "Events parked until an earlier fact arrives", ["consumer"]
)
HANDLER_LATENCY = Histogram(
    "lapak_handler_seconds",
    "Time to apply one consumed batch, per event",
    ["consumer"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
TRANSIENT_RETRIES = Counter(
    "lapak_transient_retries_total", "Batches retried after a transient failure", ["consumer"]
)
OUTBOX_BACKLOG = Gauge("lapak_outbox_backlog", "Outbox rows not yet published", ["service"])
CONSUMER_LAG = Gauge(
    "lapak_consumer_lag", "Messages behind the end of the topic", ["consumer", "topic", "partition"]
)
DEAD_LETTERS_STORED = Gauge(
    "lapak_dead_letters_stored", "Dead letters recorded and not replayed", ["service"]
)
