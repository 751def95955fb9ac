"""The admin's packing and delivery view: the only place the recipient is unsealed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from contracts.personal import ERASED, unseal
from eventkit.auth import Caller, division
from eventkit.errors import NotFoundError
from eventkit.keyring import Keyring

from services.fulfillment.adapters.api.models import PackingView, Recipient
from services.fulfillment.adapters.api.views import money
from services.fulfillment.adapters.persistence import queries
from services.fulfillment.application.deps import Deps

router = APIRouter(tags=["packing"])


@router.get("/orders/{order_id}/packing", response_model=PackingView)
async def packing_view(
    order_id: str, request: Request, _: Caller = Depends(division("fulfillment"))
) -> PackingView:
    """What to write on the parcel: the recipient's name, phone and street, unsealed
    now and never stored or logged in clear. Shows "[erased]" once the customer was
    erased. Only fulfillment (or owner) tokens may see it."""
    deps: Deps = request.app.state.deps
    keyring = Keyring(request.app.state.settings.topic_namespace)
    async with deps.db.read() as conn:
        row = await queries.order_row(conn, order_id)
        if row is None or row["total"] is None:
            raise NotFoundError(f"no order {order_id}", field="order_id")
        key = await keyring.get(conn, row["customer_id"])
    data = unseal(key, row["recipient_sealed"]) if row["recipient_sealed"] else None
    recipient: Recipient | str = ERASED
    if data is not None:
        recipient = Recipient(name=str(data.get("name", "")), phone=str(data.get("phone", "")),
                              street=str(data.get("street", "")),
                              notes=str(data.get("notes", "")))
    return PackingView(
        order_id=order_id, status=row["status"], recipient=recipient,  # type: ignore[arg-type]
        province=row["province"], city=row["city"], district=row["district"],
        postal_code=row["postal_code"],
        product_ids=[p for p in (row["product_ids"] or "").split(",") if p],
        courier=row["courier"], service=row["service"], resi=row["resi"],
        cod_amount=money(row["cod_amount"], row["currency"]),
    )
