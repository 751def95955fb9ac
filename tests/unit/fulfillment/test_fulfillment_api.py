"""The whole service in-process on SQLite: sales events in through the real consumer,
commands and queries over HTTP. Kafka and PostgreSQL are covered by the integration
tests; this file checks the rules at the edge quickly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from contracts.personal import new_customer_key
from eventkit.clock import FixedClock
from eventkit.consumer import EventConsumer
from eventkit.keyring import Keyring
from eventkit.tables import events
from eventkit.testing import bearer, make_tokens

from fulfillment_helpers import RECIPIENT, order_cancelled, order_placed, records
from services.fulfillment.config import Settings
from services.fulfillment.entrypoints.http import create_app
from services.fulfillment.wiring import build_projections

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # 19:00 WIB


class Service:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient, tokens: dict[str, str],
                 settings: Settings) -> None:
        self.app, self.client, self.tokens, self.settings = app, client, tokens, settings
        self.key = new_customer_key()
        self.consumer = EventConsumer(
            build_projections(settings, app.state.deps)[0], app.state.deps.db)
        self.as_admin = bearer(tokens["fulfillment"])

    async def feed(self, *envelopes: Any) -> None:
        dead = await self.consumer.process_batch(
            records(self.settings.topic("sales"), *envelopes))
        assert dead == []

    async def place(self, order_id: str, **kw: Any) -> None:
        async with self.app.state.deps.db.begin() as conn:
            await Keyring().store(conn, kw.get("customer_id", "c-1"), self.key.decode())
        await self.feed(order_placed(order_id, key=self.key, **kw))

    async def post(self, path: str, body: Any = None, token: str = "fulfillment"
                   ) -> httpx.Response:
        return await self.client.post(path, json=body, headers=bearer(self.tokens[token]))

    async def get(self, path: str) -> Any:
        response = await self.client.get(path, headers=bearer(self.tokens["sales"]))
        assert response.status_code == 200, response.text
        return response.json()

    async def ship(self, order_id: str, resi: str, pickup: str = "2026-12-03") -> None:
        assert (await self.post(f"/orders/{order_id}/confirm")).status_code == 200
        response = await self.post(f"/orders/{order_id}/booking", {
            "courier": "JNE", "service": "REG", "resi": resi, "pickup_date": pickup,
            "shipping_cost": {"amount": 18_000, "currency": "IDR"}})
        assert response.status_code == 200, response.text

    async def track(self, resi: str, update_id: str, status: str, hour: int = 10,
                    **extra: Any) -> httpx.Response:
        return await self.post("/couriers/webhook", {
            "resi": resi, "update_id": update_id, "status": status,
            "occurred_at": f"2026-12-03T{hour:02d}:00:00+07:00", **extra})

    async def event_count(self) -> int:
        async with self.app.state.deps.db.read() as conn:
            return len((await conn.execute(select(events.c.event_id))).all())


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[Service]:
    config, tokens = make_tokens()
    settings = Settings(api_tokens=config, database_url=f"sqlite+aiosqlite:///{tmp_path}/f.db",
                        topic_namespace="unit.")
    app = create_app(settings, clock=FixedClock(NOW))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield Service(app, client, tokens, settings)


async def test_placed_order_waits_for_the_check(svc: Service) -> None:
    await svc.place("o-1")

    [order] = await svc.get("/orders?status=awaiting_check")

    assert order["total"] == {"amount": 164_000, "currency": "IDR"}
    assert order["district"] == "Coblong"


async def test_cancelled_before_placed_is_never_booked(svc: Service) -> None:
    await svc.feed(order_cancelled("o-1", version=2))
    await svc.place("o-1")

    response = await svc.post("/orders/o-1/confirm")

    assert response.status_code == 422
    assert (await svc.get("/orders/o-1"))["status"] == "cancelled"


async def test_cancelled_after_placed_is_never_booked(svc: Service) -> None:
    await svc.place("o-1")
    await svc.feed(order_cancelled("o-1"))

    response = await svc.post("/orders/o-1/confirm")

    assert response.status_code == 422


async def test_unknown_order_is_404_naming_order_id(svc: Service) -> None:
    response = await svc.post("/orders/nope/confirm")

    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", "order_id"]


async def test_commands_need_a_fulfillment_token(svc: Service) -> None:
    await svc.place("o-1")

    assert (await svc.post("/orders/o-1/confirm", token="sales")).status_code == 403
    assert (await svc.client.post("/couriers/webhook", json={})).status_code == 401


async def test_resi_reused_for_another_order_is_409_and_changes_nothing(svc: Service) -> None:
    await svc.place("o-1")
    await svc.place("o-2")
    await svc.ship("o-1", "JNE0001")
    assert (await svc.post("/orders/o-2/confirm")).status_code == 200
    before = await svc.event_count()

    response = await svc.post("/orders/o-2/booking", {
        "courier": "JNE", "service": "REG", "resi": "JNE0001", "pickup_date": "2026-12-03",
        "shipping_cost": {"amount": 18_000, "currency": "IDR"}})

    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "resi"]
    assert await svc.event_count() == before


async def test_negative_shipping_cost_and_unknown_service_are_422(svc: Service) -> None:
    await svc.place("o-1")
    await svc.post("/orders/o-1/confirm")
    body = {"courier": "JNE", "service": "REG", "resi": "JNE0001",
            "pickup_date": "2026-12-03", "shipping_cost": {"amount": -1, "currency": "IDR"}}

    negative = await svc.post("/orders/o-1/booking", body)
    unknown = await svc.post("/orders/o-1/booking", {**body, "service": "ZZZ",
                                                     "shipping_cost": {"amount": 1,
                                                                       "currency": "IDR"}})

    assert negative.json()["detail"][0]["loc"] == ["body", "shipping_cost"]
    assert unknown.json()["detail"][0]["loc"] == ["body", "service"]


async def test_float_money_is_refused(svc: Service) -> None:
    await svc.place("o-1")
    await svc.post("/orders/o-1/confirm")

    response = await svc.post("/orders/o-1/booking", {
        "courier": "JNE", "service": "REG", "resi": "JNE0001", "pickup_date": "2026-12-03",
        "shipping_cost": {"amount": 18000.5, "currency": "IDR"}})

    assert response.status_code == 422


async def test_webhook_resend_and_late_update(svc: Service) -> None:
    await svc.place("o-1")
    await svc.ship("o-1", "JNE0001")
    await svc.track("JNE0001", "u1", "MANIFESTED", hour=9)
    await svc.track("JNE0001", "u3", "Delivered", hour=15)

    resend = await svc.track("JNE0001", "u3", "Delivered", hour=15)
    late = await svc.track("JNE0001", "u2", "ON PROCESS", hour=11)

    assert resend.json() == {"applied": 0, "duplicates": 1}
    assert late.json() == {"applied": 1, "duplicates": 0}
    order = await svc.get("/orders/o-1")
    assert (order["status"], order["tracking"]) == ("delivered", "delivered")
    assert [(h["update_id"], h["applied"]) for h in order["history"]] == [
        ("u1", True), ("u3", True), ("u2", False)]


async def test_webhook_unknown_resi_or_status_is_refused(svc: Service) -> None:
    unknown_resi = await svc.track("NOPE01", "u1", "delivered")
    await svc.place("o-1")
    await svc.ship("o-1", "JNE0001")
    unknown_word = await svc.track("JNE0001", "u1", "teleported")

    assert unknown_resi.status_code == 404
    assert unknown_word.json()["detail"][0]["loc"] == ["body", "status"]


async def test_waiting_for_pickup_past_cutoff(svc: Service) -> None:
    # NOW is 19:00 WIB on 3 Dec: past the 17:00 cut-off of a 3 Dec pickup, not of 4 Dec.
    await svc.place("o-1")
    await svc.place("o-2")
    await svc.place("o-3")
    await svc.ship("o-1", "JNE0001", pickup="2026-12-03")
    await svc.ship("o-2", "JNE0002", pickup="2026-12-04")
    await svc.ship("o-3", "JNE0003", pickup="2026-12-03")
    await svc.track("JNE0003", "u1", "picked_up")

    late = await svc.get("/shipments/waiting-for-pickup")

    assert [o["order_id"] for o in late] == ["o-1"]


async def test_rts_rate_and_cod_outstanding(svc: Service) -> None:
    await svc.place("o-1", province="Jawa Barat")
    await svc.place("o-2", province="Jawa Timur")
    await svc.place("o-3", province="Jawa Timur", method="transfer")
    for n in (1, 2, 3):
        await svc.ship(f"o-{n}", f"JNE000{n}")
    await svc.track("JNE0001", "a", "delivered")
    await svc.track("JNE0002", "b", "returned", return_shipping_cost=12_000)
    await svc.track("JNE0003", "c", "delivered")

    by_province = await svc.get("/reports/rts-rate?by=province")
    outstanding = await svc.get("/cod/outstanding")
    counts = await svc.get("/shipments/counts")

    # Jawa Timur: 1 returned of 2 finished = 50.0 %; Jawa Barat: 0 of 1
    assert [(r["key"], r["returned"], r["finished"], r["rts_rate_pct"]) for r in by_province] \
        == [("Jawa Barat", 0, 1, 0.0), ("Jawa Timur", 1, 2, 50.0)]
    # only o-1 is COD and delivered: 164,000
    assert outstanding["total"] == {"amount": 164_000, "currency": "IDR"}
    assert {(c["tracking"], c["count"]) for c in counts} == {
        ("delivered", 2), ("returned_to_sender", 1)}
    assert (await svc.get("/orders/o-2"))["return_shipping_cost"]["amount"] == 12_000
    # all three shipped with JNE: 1 returned of 3 finished = 33.3 %; all carry p-1
    [by_courier] = await svc.get("/reports/rts-rate?by=courier")
    [by_product] = await svc.get("/reports/rts-rate?by=product")
    assert (by_courier["key"], by_courier["rts_rate_pct"]) == ("JNE", 33.3)
    assert (by_product["key"], by_product["returned"], by_product["finished"]) == ("p-1", 1, 3)


async def test_remittance_posts_matched_and_flags_the_rest(svc: Service) -> None:
    await svc.place("o-1")
    await svc.place("o-2")
    await svc.ship("o-1", "JNE0001")
    await svc.ship("o-2", "JNE0002")
    await svc.track("JNE0001", "a", "delivered")
    # o-1 matches (164,000); o-2 is not delivered; "ghost" is unknown.
    # gross 164,000 + 164,000 + 5,000 = 333,000; fee 2% = 6,660; net 326,340
    response = await svc.post("/remittances", {
        "remittance_id": "JNE-2026-12-05", "courier": "JNE", "remitted_on": "2026-12-05",
        "gross": {"amount": 333_000, "currency": "IDR"},
        "fee": {"amount": 6_660, "currency": "IDR"},
        "net": {"amount": 326_340, "currency": "IDR"},
        "lines": [{"order_id": "o-1", "amount": {"amount": 164_000, "currency": "IDR"}},
                  {"order_id": "o-2", "amount": {"amount": 164_000, "currency": "IDR"}},
                  {"order_id": "ghost", "amount": {"amount": 5_000, "currency": "IDR"}}]})

    assert response.json()["events"] == ["CodRemitted", "RemittanceLinesFlagged"]
    issues = await svc.get("/remittances/issues")
    assert {(i["order_id"], i["reason"]) for i in issues} == {
        ("o-2", "not_delivered"), ("ghost", "unknown_order")}
    assert (await svc.get("/cod/outstanding"))["orders"] == []
    again = await svc.post("/remittances", {
        "remittance_id": "JNE-2026-12-05", "courier": "JNE", "remitted_on": "2026-12-05",
        "gross": {"amount": 1, "currency": "IDR"}, "fee": {"amount": 0, "currency": "IDR"},
        "net": {"amount": 1, "currency": "IDR"},
        "lines": [{"order_id": "o-1", "amount": {"amount": 1, "currency": "IDR"}}]})
    assert again.status_code == 409


async def test_remittance_for_a_cancelled_order_is_refused_whole(svc: Service) -> None:
    await svc.place("o-1")
    await svc.feed(order_cancelled("o-1"))
    before = await svc.event_count()

    response = await svc.post("/remittances", {
        "remittance_id": "R1", "courier": "JNE", "remitted_on": "2026-12-05",
        "gross": {"amount": 164_000, "currency": "IDR"},
        "fee": {"amount": 0, "currency": "IDR"},
        "net": {"amount": 164_000, "currency": "IDR"},
        "lines": [{"order_id": "o-1", "amount": {"amount": 164_000, "currency": "IDR"}}]})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "lines[0].order_id"]
    assert await svc.event_count() == before


async def test_complaint_open_assign_resolve_with_refund(svc: Service) -> None:
    await svc.place("o-1")
    opened = await svc.post("/complaints", {"complaint_id": "k-1", "order_id": "o-1",
                                            "category": "damaged"})
    await svc.post("/complaints/k-1/assign", {"assignee_id": "admin-2"})

    resolved = await svc.post("/complaints/k-1/resolve", {
        "outcome": "refund", "refund": {"amount": 50_000, "currency": "IDR"}})

    assert (opened.status_code, resolved.status_code) == (200, 200)
    [complaint] = await svc.get("/complaints")
    assert complaint["refund"] == {"amount": 50_000, "currency": "IDR"}
    unknown = await svc.post("/complaints", {"complaint_id": "k-2", "order_id": "nope",
                                             "category": "late"})
    assert unknown.status_code == 404


async def test_packing_view_unseals_and_shows_erased_after_erasure(svc: Service) -> None:
    await svc.place("o-1")

    shown = await svc.client.get("/orders/o-1/packing", headers=svc.as_admin)
    async with svc.app.state.deps.db.begin() as conn:
        await Keyring().forget(conn, "c-1")
    erased = await svc.client.get("/orders/o-1/packing", headers=svc.as_admin)
    by_sales = await svc.client.get("/orders/o-1/packing", headers=bearer(svc.tokens["sales"]))

    assert shown.json()["recipient"]["phone"] == RECIPIENT["phone"]
    assert erased.json()["recipient"] == "[erased]"
    assert by_sales.status_code == 403


async def test_couriers_are_data(svc: Service) -> None:
    added = await svc.client.put("/couriers/LION", headers=svc.as_admin, json={
        "code": "LION", "name": "Lion Parcel", "services": ["REGPACK"]})

    codes = [c["code"] for c in await svc.get("/couriers")]

    assert added.status_code == 200
    assert {"JNE", "JNT", "SICEPAT", "ANTERAJA", "LION"} <= set(codes)
