"""Ad metrics from summed daily figures: CPM, CTR, CPC, CPL, CPA, ROAS, frequency.

Costs are Money rounded half up to the currency's minor unit; ratios are Decimal.
A metric whose denominator is zero is None, never 0 or infinity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contracts.money import Money

RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class Totals:
    spend: Money
    impressions: int
    reach: int
    clicks: int
    leads: int
    purchases: int
    purchase_value: Money
    days: int
    captured_leads: int = 0
    orders: int = 0
    order_revenue: Money | None = None


def cost_per(spend: Money, count: int, *, per: int = 1) -> Money | None:
    if count <= 0:
        return None
    return spend.share(Decimal(per) / Decimal(count))


def ratio(top: int | Decimal, bottom: int | Decimal) -> Decimal | None:
    if not bottom:
        return None
    return (Decimal(top) / Decimal(bottom)).quantize(RATIO)


@dataclass(frozen=True)
class Metrics:
    cpm: Money | None
    ctr: Decimal | None
    cpc: Money | None
    cpl: Money | None
    cpa: Money | None
    roas: Decimal | None
    platform_roas: Decimal | None
    frequency: Decimal | None
    cpl_captured: Money | None
    cpa_orders: Money | None


def metrics_of(t: Totals) -> Metrics:
    """The metrics of one ad, ad set, campaign or product.

    ``cpl``/``cpa`` use the leads and purchases the ad platform reported;
    ``cpl_captured``/``cpa_orders``/``roas`` use the leads and orders sales attributed
    to the ads. ``roas`` is only given when orders and spend share a currency.
    ``frequency`` is impressions / reach with reach summed over ad-days: above one ad-day
    the same person may be counted twice, so it is a lower bound there.
    """
    roas = None
    if t.order_revenue is not None and t.order_revenue.currency == t.spend.currency:
        roas = ratio(t.order_revenue.amount, t.spend.amount)
    return Metrics(
        cpm=cost_per(t.spend, t.impressions, per=1000),
        ctr=ratio(t.clicks, t.impressions),
        cpc=cost_per(t.spend, t.clicks),
        cpl=cost_per(t.spend, t.leads),
        cpa=cost_per(t.spend, t.purchases),
        roas=roas,
        platform_roas=ratio(t.purchase_value.amount, t.spend.amount),
        frequency=ratio(t.impressions, t.reach),
        cpl_captured=cost_per(t.spend, t.captured_leads),
        cpa_orders=cost_per(t.spend, t.orders),
    )
