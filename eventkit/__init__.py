"""eventkit: the event-sourcing ground every Lapak service stands on.

- ``store``     append-only event store with optimistic concurrency, plus the outbox rows
- ``aggregate`` base class for event-sourced aggregates and their repository
- ``outbox``    relay publishing stored events to Kafka in order, idempotently
- ``consumer``  idempotent batch consumers: inbox, dead letters, parking of early events
- ``http``      FastAPI app factory: health, metrics, error mapping, ops routes
- ``auth``      bearer tokens and division roles
- ``worker``    FastStream worker factory for a service
"""
