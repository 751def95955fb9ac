"""The ops dashboard in headless Chromium (Debian's chromium + chromedriver, driven by
selenium): the page loads, every chart is drawn with the data the services hold, and a
screenshot is saved under var/screenshots/."""

from __future__ import annotations

import asyncio
import csv
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from eventkit.testing import wait_for
from lapak.dashboard import create_app
from lapak.inprocess import ShopSystem
from lapak.processes import SERVICES
from lapak.lag import wait_caught_up
from lapak.stack import REPO_ROOT

pytestmark = pytest.mark.e2e

SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def mxn_spend_by_month() -> dict[str, int]:
    """Centavos per month of the bundled API export, each row rounded half up."""
    out: dict[str, int] = {}
    path = REPO_ROOT / "data" / "fb-ads-api-export" / "facebook_ads_data.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            cents = int(Decimal(row["spend"]).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100)
            key = f"{row['date_start'][:7]} exp"
            out[key] = out.get(key, 0) + cents
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
async def dashboard_url(shop_sqlite: ShopSystem) -> AsyncIterator[str]:
    async with shop_sqlite.client() as shop:
        # a little of everything: products in two stages, ad spend, feedback
        ids = []
        for n in range(3):
            body = await shop.post("research", "/products", json={
                "sku": f"DASH-{n}", "name": f"Dashboard product {n}", "weight_grams": 500})
            ids.append(body["product_id"])
        await shop.post("research", f"/products/{ids[0]}/reject", json={"reason": "test"})
        await shop.post("marketing", "/ad-reports/imports",
                        json={"path": "fb-ads-api-export/facebook_ads_data.csv"})
        await shop.post("crm", "/feedback", json={"rating": 4, "product_id": ids[1]})
        await wait_caught_up(shop, bootstrap=shop_sqlite.bootstrap,
                             namespace=shop_sqlite.namespace, timeout_s=60)

        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(shop=shop, bootstrap=shop_sqlite.bootstrap,
                                                          namespace=shop_sqlite.namespace), host="127.0.0.1",
                                               port=port, log_level="warning"))
        task = asyncio.create_task(server.serve())
        await wait_for(lambda: asyncio.sleep(0, server.started), timeout=15)
        yield f"http://127.0.0.1:{port}/"
        server.should_exit = True
        await task


def browse(url: str, screenshot: Path) -> dict[str, object]:
    """Load the page in headless Chromium; report what each chart drew."""
    profile = tempfile.mkdtemp(prefix="lapak-chromium-")
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1100",
                f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(url)
        WebDriverWait(driver, 30).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "true")

        def bars(selector: str) -> dict[str, str]:
            return {b.get_attribute("data-label"): b.get_attribute("data-value")
                    for b in driver.find_elements(By.CSS_SELECTOR, f"{selector} rect.bar")}

        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot))
        return {"stages": bars("#chart-stages"), "funnel": bars("#chart-funnel"),
                "pnl": bars("#chart-pnl"), "ops": bars("#chart-ops"),
                "status": driver.find_element(By.ID, "status").text,
                "late": driver.find_element(By.ID, "late-table").text}
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.skipif(not Path(CHROMEDRIVER).exists(), reason="needs Debian's chromium-driver")
async def test_dashboard_draws_every_chart_from_the_services(dashboard_url: str) -> None:
    screenshot = SCREENSHOTS / "dashboard.png"

    seen = await asyncio.to_thread(browse, dashboard_url, screenshot)

    assert seen["stages"] == {"candidate": "2", "rejected": "1"}
    assert set(seen["funnel"]) == {"spend", "leads", "orders", "delivered", "paid"}
    assert seen["funnel"]["spend"] == "1"  # spend recorded (bar drawn with its amount)
    assert {k: int(v) for k, v in seen["pnl"].items() if k.endswith(" exp")} == \
        mxn_spend_by_month()
    dlq = {k: v for k, v in seen["ops"].items() if k.endswith(" dlq")}
    lag = {k: v for k, v in seen["ops"].items() if not k.endswith(" dlq")}
    assert set(dlq) == {f"{s} dlq" for s in SERVICES} and set(dlq.values()) == {"0"}
    assert lag and set(lag.values()) == {"0"}  # every consumer group caught up on Kafka
    assert "updated" in str(seen["status"])
    assert screenshot.stat().st_size > 10_000
