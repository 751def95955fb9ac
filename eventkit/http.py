"""FastAPI app factory shared by the seven services.

Every app gets: bearer-token auth (``eventkit.auth``), errors mapped to status codes
with the field and the reason, ``/health/live``, ``/health/ready`` (database and broker),
``/metrics`` (Prometheus), ``/asyncapi.json`` (the events the service publishes) and
the operator's routes under ``/ops`` (dead letters and their replay, outbox, lag).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaClient, AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import func, select, update

from contracts.catalogue import TOPICS
from eventkit.asyncapi import asyncapi_document
from eventkit.auth import Caller, division, reader
from eventkit.clock import utcnow
from eventkit.db import Database
from eventkit.errors import LapakError
from eventkit.metrics import CONSUMER_LAG, DEAD_LETTERS_STORED, OUTBOX_BACKLOG
from eventkit.tables import consumer_lag, dead_letters, outbox

logger = logging.getLogger(__name__)


class DeadLetterView(BaseModel):
    id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    error_type: str
    reason: str
    event_id: str | None
    dead_at: datetime
    replayed_at: datetime | None


class LagView(BaseModel):
    consumer: str
    topic: str
    partition: int
    lag: int
    updated_at: datetime


class OpsStatus(BaseModel):
    service: str
    outbox_backlog: int
    dead_letters: int
    consumer_lag: int


async def kafka_reachable(bootstrap: str, timeout_ms: int = 2000) -> bool:
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms)
    try:
        await asyncio.wait_for(client.bootstrap(), timeout=timeout_ms / 1000 + 1)
        return True
    except Exception:
        return False
    finally:
        await client.close()


def _error_body(exc: LapakError) -> dict[str, Any]:
    loc = ["body", exc.field] if exc.field else ["body"]
    return {"detail": [{"loc": loc, "msg": exc.message, "type": type(exc).__name__}]}


def ops_router(service: str, owning_division: str) -> APIRouter:
    router = APIRouter(prefix="/ops", tags=["operations"])

    @router.get("/status", response_model=OpsStatus)
    async def status(request: Request, _: Caller = Depends(reader)) -> OpsStatus:
        """Outbox backlog, unreplayed dead letters and total consumer lag of this service."""
        return OpsStatus(service=service, **await _ops_counts(request.app.state.db))

    @router.get("/dead-letters", response_model=list[DeadLetterView])
    async def list_dead_letters(
        request: Request, include_replayed: bool = False, _: Caller = Depends(reader)
    ) -> list[DeadLetterView]:
        """Events this service's consumers could not apply, newest first, with the reason."""
        db: Database = request.app.state.db
        query = select(dead_letters).order_by(dead_letters.c.id.desc()).limit(500)
        if not include_replayed:
            query = query.where(dead_letters.c.replayed_at.is_(None))
        async with db.read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [DeadLetterView.model_validate(dict(r)) for r in rows]

    @router.post("/dead-letters/{letter_id}/replay", response_model=DeadLetterView)
    async def replay_dead_letter(
        request: Request,
        letter_id: int = Path(ge=1, le=2**63 - 1),
        _: Caller = Depends(division(owning_division)),
    ) -> DeadLetterView:
        """Send a dead letter's original bytes back to its topic, to be consumed again."""
        db: Database = request.app.state.db
        async with db.read() as conn:
            row = (
                await conn.execute(select(dead_letters).where(dead_letters.c.id == letter_id))
            ).mappings().first()
        if row is None:
            raise HTTPException(404, f"no dead letter {letter_id}")
        producer = AIOKafkaProducer(
            bootstrap_servers=request.app.state.bootstrap, enable_idempotence=True, acks="all"
        )
        await producer.start()
        try:
            key = row["key"].encode() if row["key"] else None
            await producer.send_and_wait(row["topic"], bytes(row["value"]), key=key)
        finally:
            await producer.stop()
        async with db.begin() as conn:
            await conn.execute(
                update(dead_letters)
                .where(dead_letters.c.id == letter_id)
                .values(replayed_at=utcnow())
            )
        return DeadLetterView.model_validate({**dict(row), "replayed_at": utcnow()})

    @router.get("/lag", response_model=list[LagView])
    async def lag(request: Request, _: Caller = Depends(reader)) -> list[LagView]:
        """Last lag each of this service's consumers reported, per partition."""
        async with request.app.state.db.read() as conn:
            rows = (await conn.execute(select(consumer_lag))).mappings().all()
        return [LagView.model_validate(dict(r)) for r in rows]

    return router


async def _ops_counts(db: Database) -> dict[str, int]:
    async with db.read() as conn:
        backlog = await conn.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
        dead = await conn.scalar(
            select(func.count()).select_from(dead_letters).where(
                dead_letters.c.replayed_at.is_(None)
            )
        )
        lag = await conn.scalar(select(func.coalesce(func.sum(consumer_lag.c.lag), 0)))
    return {"outbox_backlog": int(backlog or 0), "dead_letters": int(dead or 0),
            "consumer_lag": int(lag or 0)}


def create_app(
    *,
    service: str,
    owning_division: str,
    settings: Any,
    db: Database,
    routers: Sequence[APIRouter],
    title: str,
    description: str = "",
    on_startup: Sequence[Callable[[FastAPI], Awaitable[None]]] = (),
) -> FastAPI:
    """The HTTP app of one service. ``settings`` is that service's ServiceSettings."""
    tokens = settings.tokens()  # fail at build time when tokens are missing or malformed

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await db.create_all()
        for hook in on_startup:
            await hook(app)
        yield
        await db.dispose()

    app = FastAPI(title=title, description=description, lifespan=lifespan)
    app.state.db = db
    app.state.tokens = tokens
    app.state.bootstrap = settings.kafka_bootstrap_servers
    app.state.settings = settings
    app.state.service = service

    @app.middleware("http")
    async def refuse_nul_characters(request: Request, call_next: Any) -> Response:
        """PostgreSQL cannot store U+0000 in text: refuse it at the edge with a 422."""
        where = None
        if "%00" in request.url.query or "%00" in request.url.path:
            where = "query"
        elif request.method in {"POST", "PUT", "PATCH"}:
            body = await request.body()
            if b"\\u0000" in body or b"\x00" in body:
                where = "body"
        if where is not None:
            return JSONResponse(
                {"detail": [{"loc": [where], "msg": "NUL characters are not accepted",
                             "type": "nul_character"}]},
                status_code=422,
            )
        return await call_next(request)

    @app.exception_handler(LapakError)
    async def domain_error(_: Request, exc: LapakError) -> JSONResponse:
        return JSONResponse(_error_body(exc), status_code=exc.status_code)

    @app.get("/health/live", tags=["health"])
    async def live() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok", "service": service}

    @app.get("/health/ready", tags=["health"])
    async def ready() -> JSONResponse:
        """The database answers and the Kafka broker is reachable."""
        checks: dict[str, str] = {}
        try:
            await db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"down: {type(exc).__name__}"
        checks["kafka"] = "ok" if await kafka_reachable(app.state.bootstrap) else "down"
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "unavailable", "service": service, **checks},
            status_code=200 if healthy else 503,
        )

    @app.get("/metrics", tags=["health"], response_class=Response)
    async def metrics() -> Response:
        """Prometheus metrics; outbox backlog, dead letters and lag are read fresh."""
        try:
            counts = await _ops_counts(db)
            OUTBOX_BACKLOG.labels(service).set(counts["outbox_backlog"])
            DEAD_LETTERS_STORED.labels(service).set(counts["dead_letters"])
            async with db.read() as conn:
                for row in await conn.execute(select(consumer_lag)):
                    CONSUMER_LAG.labels(row.consumer, row.topic, str(row.partition)).set(row.lag)
        except Exception:
            logger.warning("metrics from the database unavailable", exc_info=True)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["health"])
    async def asyncapi() -> dict[str, Any]:
        """AsyncAPI 3 document of the events this service publishes on Kafka."""
        return asyncapi_document(service)

    for router in routers:
        app.include_router(router)
    app.include_router(ops_router(service, owning_division))
    return app


PUBLIC_PATHS = frozenset(
    {"/health/live", "/health/ready", "/metrics", "/asyncapi.json", "/openapi.json",
     "/docs", "/docs/oauth2-redirect", "/redoc"}
)
__all__ = ["PUBLIC_PATHS", "TOPICS", "create_app"]
