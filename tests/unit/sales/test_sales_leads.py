"""Lead capture, rotator, reassignment and follow-ups through the HTTP API (SQLite)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from contracts.money import Money
from contracts.marketing import CampaignLaunched, LaunchedAd, LaunchedAdSet
from contracts.personal import unseal
from eventkit.tables import events
from services.sales.application.leads import reassign_unanswered


async def stream(sales: Any, aggregate_id: str) -> list[dict[str, Any]]:
    async with sales.deps.db.read() as conn:
        rows = await conn.execute(select(events.c.body).where(
            events.c.aggregate_id == aggregate_id).order_by(events.c.aggregate_version))
        return [json.loads(body) for (body,) in rows]


async def test_a_lead_is_normalised_sealed_and_rotated_to_an_agent(sales: Any) -> None:
    await sales.agent("ani")

    out = await sales.lead("+62 812.3456-7890")

    assert out["agent_id"] == "ani" and out["reason"] == "round robin"
    assert len(out["customer_id"]) <= 32  # keyring outbox event_id "key:<id>" fits 36
    captured, assigned = await stream(sales, out["lead_id"])
    assert [captured["event_type"], assigned["event_type"]] == ["LeadCaptured", "LeadAssigned"]
    assert "+6281234567890" not in json.dumps(captured)
    async with sales.deps.db.read() as conn:
        key = await sales.deps.keyring.get(conn, out["customer_id"])
    assert unseal(key, captured["payload"]["contact_sealed"]) == {
        "name": "Siti Contoh", "phone": "+6281234567890"}


async def test_an_invalid_phone_is_refused_on_the_phone_field_and_nothing_is_stored(
    sales: Any,
) -> None:
    r = await sales.client.post("/leads", json={"name": "X", "phone": "0812"},
                                headers=sales.auth)

    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "phone"
    async with sales.deps.db.read() as conn:
        assert (await conn.execute(select(events))).first() is None


async def test_a_name_of_only_spaces_is_refused_on_the_name_field(sales: Any) -> None:
    r = await sales.client.post("/leads", json={"name": "   ", "phone": "081234567890"},
                                headers=sales.auth)

    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "name"
    async with sales.deps.db.read() as conn:
        assert (await conn.execute(select(events))).first() is None


async def test_the_same_phone_within_the_window_is_linked_not_duplicated(sales: Any) -> None:
    await sales.agent("ani")
    await sales.agent("budi")
    first = await sales.lead("081234567890")

    again = await sales.lead("6281234567890")
    sales.clock.advance(hours=73)
    later = await sales.lead("+6281234567890")

    assert again["linked_to_lead_id"] == first["lead_id"]
    assert again["customer_id"] == first["customer_id"]
    assert again["agent_id"] == first["agent_id"] == "ani"
    assert [e["event_type"] for e in await stream(sales, again["lead_id"])] == ["LeadCaptured"]
    assert later["linked_to_lead_id"] is None and later["customer_id"] == first["customer_id"]


async def test_round_robin_spreads_leads_and_skips_off_shift_and_capped_agents(
    sales: Any,
) -> None:
    await sales.agent("ani", max_open_leads=1)
    await sales.agent("budi")
    await sales.agent("cici", shift_start="18:00", shift_end="02:00")  # off at 10:00 WIB
    await sales.agent("dedi")

    got = [(await sales.lead(f"0812000000{i:02d}"))["agent_id"] for i in range(5)]

    assert got == ["ani", "budi", "dedi", "budi", "dedi"]


async def test_weighted_policy_gives_leads_in_proportion_to_weight(sales_factory: Any) -> None:
    sales = await sales_factory(rotator_policy="weighted")
    await sales.agent("ani", weight=2)
    await sales.agent("budi", weight=1)

    got = [(await sales.lead(f"0812000000{i:02d}"))["agent_id"] for i in range(6)]

    assert got.count("ani") == 4 and got.count("budi") == 2


async def test_sticky_policy_returns_a_customer_to_their_previous_agent(
    sales_factory: Any,
) -> None:
    sales = await sales_factory(rotator_policy="sticky")
    await sales.agent("ani")
    await sales.agent("budi")
    first = await sales.lead("081234567890")
    await sales.client.post(f"/leads/{first['lead_id']}/loss", json={"reason": "later"},
                            headers=sales.auth)
    await sales.lead("081299999999")  # someone new moves the round-robin cursor

    back = await sales.lead("081234567890")

    assert first["agent_id"] == back["agent_id"] == "ani"
    assert back["reason"] == "sticky: returning customer"


async def test_an_unanswered_lead_moves_to_another_agent_after_the_limit(sales: Any) -> None:
    await sales.agent("ani")
    await sales.agent("budi")
    lead = await sales.lead()

    sales.clock.advance(minutes=14)
    assert await reassign_unanswered(sales.deps) == 0
    sales.clock.advance(minutes=2)
    assert await reassign_unanswered(sales.deps) == 1

    last = (await stream(sales, lead["lead_id"]))[-1]
    assert last["event_type"] == "LeadAssigned"
    assert last["payload"]["agent_id"] == "budi"
    assert last["payload"]["previous_agent_id"] == "ani"
    assert last["payload"]["reason"].startswith("unanswered for 15 min")


async def test_a_lead_nobody_could_take_is_assigned_when_an_agent_comes_on(sales: Any) -> None:
    lead = await sales.lead()
    assert lead["agent_id"] is None

    await sales.agent("ani")
    await reassign_unanswered(sales.deps)

    view = (await sales.client.get(f"/leads/{lead['lead_id']}", headers=sales.auth)).json()
    assert view["agent_id"] == "ani"


async def test_follow_ups_fall_due_by_the_cadence_and_exhaust_into_a_lost_lead(
    sales: Any,
) -> None:
    await sales.agent("ani")
    lead = await sales.lead()
    url = f"/leads/{lead['lead_id']}/follow-ups"

    first = (await sales.client.post(url, json={"outcome": "no_answer"},
                                     headers=sales.auth)).json()
    due_now = (await sales.client.get("/follow-ups/due", headers=sales.auth)).json()
    sales.clock.advance(hours=1)
    due_later = (await sales.client.get("/follow-ups/due", headers=sales.auth)).json()
    for gap in ({"days": 1}, {"days": 3}):
        await sales.client.post(url, json={"outcome": "no_answer"}, headers=sales.auth)
        sales.clock.advance(**gap)
    last = (await sales.client.post(url, json={"outcome": "no_answer"},
                                    headers=sales.auth)).json()

    assert first["attempts"] == 1 and first["status"] == "contacted"
    assert due_now == [] and [d["lead_id"] for d in due_later] == [lead["lead_id"]]
    assert last["status"] == "lost" and last["lost_reason"] == "no answer after 4 attempts"
    types = [e["event_type"] for e in await stream(sales, lead["lead_id"])]
    assert types.count("LeadFollowedUp") == 4 and types[-1] == "LeadLost"


async def test_a_fake_lead_is_lost_and_takes_no_more_follow_ups(sales: Any) -> None:
    await sales.agent("ani")
    lead = await sales.lead()
    url = f"/leads/{lead['lead_id']}/follow-ups"

    lost = (await sales.client.post(url, json={"outcome": "fake"}, headers=sales.auth)).json()
    again = await sales.client.post(url, json={"outcome": "answered"}, headers=sales.auth)

    assert lost["status"] == "lost" and lost["lost_reason"] == "fake"
    assert again.status_code == 409


async def test_an_ad_id_alone_is_attributed_to_its_campaign(sales: Any) -> None:
    await sales.agent("ani")
    await sales.feed(CampaignLaunched(
        campaign_id="cmp1", product_id="P1", name="Serum test", daily_budget=Money.idr(100_000),
        ad_sets=[LaunchedAdSet(ad_set_id="as1", name="w25-34", daily_budget=Money.idr(50_000),
                               ads=[LaunchedAd(ad_id="ad1", name="v1", creative_id="c1")])],
    ), "cmp1")

    lead = await sales.lead(attribution={"ad_id": "ad1"})

    view = (await sales.client.get(f"/leads/{lead['lead_id']}", headers=sales.auth)).json()
    assert (view["campaign_id"], view["ad_set_id"], view["product_id"]) == (
        "cmp1", "as1", "P1")


async def test_lead_commands_need_the_sales_role_and_contact_is_hidden_from_others(
    sales: Any,
) -> None:
    await sales.agent("ani")
    lead = await sales.lead()
    from eventkit.testing import bearer

    refused = await sales.client.post("/leads", json={"name": "X", "phone": "081234567890"},
                                      headers=bearer(sales.tokens["marketing"]))
    seen = (await sales.client.get(f"/leads/{lead['lead_id']}",
                                   headers=bearer(sales.tokens["marketing"]))).json()

    assert refused.status_code == 403
    assert seen["contact"] is None


async def test_the_rotator_policy_can_be_switched_through_the_api(sales: Any) -> None:
    await sales.agent("ani", weight=1)
    await sales.agent("budi", weight=5)

    r = await sales.client.put("/rotator", json={"policy": "weighted"}, headers=sales.auth)
    got = [(await sales.lead(f"0812000000{i:02d}"))["agent_id"] for i in range(3)]

    assert r.status_code == 200 and r.json()["policy"] == "weighted"
    assert got == ["ani", "budi", "budi"]  # 0/1 ties -> ani; then 1/1 > 0/5, 1/1 > 1/5


async def test_a_supervisor_hands_a_lead_to_a_chosen_agent(sales: Any) -> None:
    await sales.agent("ani")
    await sales.agent("budi")
    lead = await sales.lead()

    r = await sales.client.post(f"/leads/{lead['lead_id']}/assignment",
                                json={"agent_id": "budi"}, headers=sales.auth)
    unknown = await sales.client.post(f"/leads/{lead['lead_id']}/assignment",
                                      json={"agent_id": "zed"}, headers=sales.auth)

    assert r.status_code == 200 and r.json()["agent_id"] == "budi"
    last = (await stream(sales, lead["lead_id"]))[-1]["payload"]
    assert last["reason"] == "manual by sales-tester" and last["previous_agent_id"] == "ani"
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "agent_id"


async def test_an_agent_lists_their_open_leads(sales: Any) -> None:
    await sales.agent("ani")
    await sales.agent("budi")
    for i in range(4):
        await sales.lead(f"0812000000{i:02d}")

    mine = (await sales.client.get("/leads?agent_id=ani&status=new", headers=sales.auth)).json()

    assert len(mine) == 2 and {m["agent_id"] for m in mine} == {"ani"}
    assert mine[0]["contact"]["phone"].startswith("+62")
