"""Personal data: erasure shreds the key and wipes read models; logs never show any."""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

import pytest
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import select

from contracts.personal import unseal
from eventkit.logs import configure_logging
from eventkit.tables import events, outbox
from services.sales.adapters.persistence.tables import customers, leads, orders
from services.sales.application.leads import reassign_unanswered
from test_sales_orders import order_body, post, priced

NAME, PHONE, STREET = "Siti Contoh", "0812-3456-7890", "Jl. Contoh No. 1"


async def test_erasure_wipes_read_models_and_makes_old_events_unreadable(sales: Any) -> None:
    await priced(sales)
    lead = await sales.lead(PHONE)
    await post(sales, order_body(lead_id=lead["lead_id"]))
    customer_id = lead["customer_id"]

    r = await sales.client.post(f"/customers/{customer_id}/erasure", headers=sales.auth)

    assert r.status_code == 200
    async with sales.deps.db.read() as conn:
        assert await sales.deps.keyring.get(conn, customer_id) is None
        sealed = [json.loads(b)["payload"].get("contact_sealed") or
                  json.loads(b)["payload"].get("recipient_sealed")
                  for (b,) in await conn.execute(select(events.c.body).where(
                      events.c.event_type.in_(["LeadCaptured", "OrderPlaced"])))]
        assert sealed and all(unseal(None, s) is None for s in sealed)
        person = (await conn.execute(select(customers))).mappings().one()
        lead_row = (await conn.execute(select(leads))).mappings().one()
        order_row = (await conn.execute(select(orders))).mappings().one()
        tombstones = (await conn.execute(select(outbox.c.key).where(
            outbox.c.topic == "sales.customer-keys").where(outbox.c.value == b""))).all()
    assert (person["phone_e164"], person["name"]) == (None, None)
    assert (lead_row["contact_name"], lead_row["contact_phone"]) == (None, None)
    assert [order_row[k] for k in ("recipient_name", "recipient_phone", "street", "notes")] == [
        None] * 4
    assert order_row["total_idr"] == 371_500  # amounts stay for the books
    assert [t.key for t in tombstones] == [customer_id]


async def test_erasure_needs_the_sales_role_and_a_known_customer(sales: Any) -> None:
    from eventkit.testing import bearer

    forbidden = await sales.client.post("/customers/cus_x/erasure",
                                        headers=bearer(sales.tokens["crm"]))
    unknown = await sales.client.post("/customers/cus_x/erasure", headers=sales.auth)

    assert (forbidden.status_code, unknown.status_code) == (403, 404)


async def test_a_returning_phone_after_erasure_is_a_new_customer(sales: Any) -> None:
    await sales.agent("ani")
    first = await sales.lead(PHONE)
    await sales.client.post(f"/customers/{first['customer_id']}/erasure", headers=sales.auth)

    again = await sales.lead(PHONE)

    assert again["customer_id"] != first["customer_id"]
    assert again["linked_to_lead_id"] is None


def _spellings_found(text: str) -> list[str]:
    digits_only = re.sub(r"[\s.\-+()]", "", text)
    found = [w for w in ("Siti", "Contoh", "pagar hijau") if w in text]
    if "81234567890" in digits_only:
        found.append("phone")
    return found


async def test_a_whole_flow_logs_no_name_phone_or_street(
    sales: Any, caplog: pytest.LogCaptureFixture
) -> None:
    before = logging.getLogger().handlers[:]
    configure_logging("sales", "DEBUG")  # production set-up: JSON handler, quiet drivers
    logging.getLogger().addHandler(caplog.handler)
    stream = io.StringIO()
    json_handler = logging.StreamHandler(stream)
    json_handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(json_handler)
    caplog.set_level(logging.DEBUG)
    try:
        await priced(sales)
        await sales.agent("budi")
        lead = await sales.lead(PHONE)
        await sales.lead("+62 812 3456 7890")                       # linked duplicate
        await sales.client.post("/leads", json={"name": NAME, "phone": "0812-34"},
                                headers=sales.auth)                  # invalid phone
        sales.clock.advance(minutes=20)
        await reassign_unanswered(sales.deps)
        await sales.client.post(f"/leads/{lead['lead_id']}/follow-ups",
                                json={"outcome": "answered"}, headers=sales.auth)
        placed = await post(sales, order_body(lead_id=lead["lead_id"]))
        await post(sales, order_body(lead_id=lead["lead_id"]))      # replay
        bad = order_body()
        bad["address"] = {**bad["address"], "city": "Atlantis"}
        await post(sales, bad, key="key-bad-0001")
        await sales.client.post(f"/orders/{placed.json()['order_id']}/cancellation",
                                json={"reason": "ganti alamat"}, headers=sales.auth)
        await sales.client.post(f"/customers/{lead['customer_id']}/erasure",
                                headers=sales.auth)
    finally:
        logging.getLogger().handlers[:] = before

    assert caplog.records, "the flow should have logged something"
    assert any(r.getMessage() == "order placed" for r in caplog.records)
    for record in caplog.records:
        text = record.getMessage() + " " + json.dumps(
            {k: str(v) for k, v in record.__dict__.items()})
        assert _spellings_found(text) == [], (record.name, record.getMessage())
    assert _spellings_found(stream.getvalue()) == []
    assert _spellings_found(caplog.text) == []


async def test_a_database_error_does_not_carry_the_phone_into_a_traceback(sales: Any) -> None:
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from eventkit.clock import utcnow

    await sales.lead(PHONE)

    with pytest.raises(IntegrityError) as caught:
        async with sales.deps.db.begin() as conn:
            await conn.execute(insert(customers).values(
                customer_id="cus_dup", phone_e164="+6281234567890", name=NAME,
                created_at=utcnow()))

    assert _spellings_found(str(caught.value)) == []
