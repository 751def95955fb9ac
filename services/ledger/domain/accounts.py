"""The chart of accounts, as data: code, name, type and the side that increases it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AccountType = Literal["asset", "liability", "equity", "revenue", "expense"]
Side = Literal["debit", "credit"]


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    type: AccountType
    normal: Side


CASH = "1000"
COD_RECEIVABLE = "1200"
INVENTORY = "1300"
PAYABLE_SUPPLIERS = "2100"
PAYABLE_AD_PLATFORM = "2200"
CUSTOMER_DEPOSITS = "2300"
PAYABLE_COURIERS = "2400"
COD_SUSPENSE = "2500"
OWNER_EQUITY = "3000"
SALES_REVENUE = "4000"
ONGKIR_INCOME = "4100"
SALES_RETURNS = "4200"
COGS = "5000"
ADVERTISING = "6100"
SHIPPING_EXPENSE = "6200"
RETURN_SHIPPING = "6210"
COD_FEES = "6300"
REFUNDS = "6400"
CS_COMMISSION = "6500"

CHART: tuple[Account, ...] = (
    Account(CASH, "Cash and bank", "asset", "debit"),
    Account(COD_RECEIVABLE, "Courier COD receivable", "asset", "debit"),
    Account(INVENTORY, "Inventory", "asset", "debit"),
    Account(PAYABLE_SUPPLIERS, "Payable to suppliers", "liability", "credit"),
    Account(PAYABLE_AD_PLATFORM, "Payable to ad platform", "liability", "credit"),
    Account(CUSTOMER_DEPOSITS, "Customer deposits (prepaid transfers)", "liability", "credit"),
    Account(PAYABLE_COURIERS, "Payable to couriers", "liability", "credit"),
    # Remitted COD cash that matches no delivered order yet, until an admin sorts it.
    Account(COD_SUSPENSE, "Unmatched COD cash (suspense)", "liability", "credit"),
    Account(OWNER_EQUITY, "Owner's equity", "equity", "credit"),
    Account(SALES_REVENUE, "Sales revenue", "revenue", "credit"),
    Account(ONGKIR_INCOME, "Ongkir charged to buyers", "revenue", "credit"),
    # Contra-revenue: lives among revenue but grows on the debit side.
    Account(SALES_RETURNS, "Sales returns (RTS)", "revenue", "debit"),
    Account(COGS, "Cost of goods sold", "expense", "debit"),
    Account(ADVERTISING, "Advertising expense", "expense", "debit"),
    Account(SHIPPING_EXPENSE, "Shipping expense", "expense", "debit"),
    Account(RETURN_SHIPPING, "Return shipping expense", "expense", "debit"),
    Account(COD_FEES, "COD fees", "expense", "debit"),
    Account(REFUNDS, "Customer refunds", "expense", "debit"),
    # LIMIT: no event carries CS commission yet, so no rule posts here (issue 7).
    Account(CS_COMMISSION, "CS commission", "expense", "debit"),
)

ACCOUNTS: dict[str, Account] = {a.code: a for a in CHART}
