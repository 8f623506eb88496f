"""Screenshots of three pages of the web app for the README (docs/screenshots/*.png).

Starts the app on a free local port, drives the system's Chromium with Playwright (no browser is
downloaded) and writes small PNGs: the planner's result for the eGFR 25 example, a fact-checked
article, and a simulation's plots. Run: ``python scripts/web_screenshots.py``.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from mgbrain.interfaces.web import create_app

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTICLE = ("Magnesium L-threonate is absorbed twice as fast as other forms of magnesium. "
           "It is the only form of magnesium that crosses the blood-brain barrier. "
           "In a 12-week trial, older adults taking it improved on tests of memory. "
           "People with kidney disease can take as much magnesium as they like.")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as p, p.chromium.launch(executable_path=CHROMIUM, args=FLAGS) as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 900}, device_scale_factor=1)
        page.set_default_timeout(120_000)
        page.goto(f"{base}/plan")
        for label, value in (("Age (years)", "40"), ("Weight (kg)", "78"), ("Height (cm)", "175"),
                             ("eGFR (mL/min/1.73 m²)", "25"), ("Or dietary Mg (mg/day)", "250"),
                             ("Compound mg per capsule", "667")):
            page.get_by_label(label).fill(value)
        page.get_by_label("Sex").select_option("male")
        page.get_by_label("Medicines, one a line").fill("furosemide@08:00\nlisinopril@08:00")
        page.get_by_role("button", name="Make the plan").click()
        page.locator(".serum-band svg").wait_for()
        page.screenshot(path=str(OUT / "planner.png"))
        page.goto(f"{base}/factcheck")
        page.get_by_label("Article text").fill(ARTICLE)
        page.get_by_role("button", name="Check").click()
        page.locator("#factcheck-result").scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "factcheck.png"))
        page.goto(f"{base}/simulate")
        page.get_by_label("Days", exact=True).fill("7")
        page.get_by_role("button", name="Simulate").click()
        page.locator(".chart svg").first.wait_for()
        page.locator("#plots").scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "simulate.png"))
    server.should_exit = True
    for name in ("planner", "factcheck", "simulate"):
        print(OUT / f"{name}.png", (OUT / f"{name}.png").stat().st_size, "bytes")


if __name__ == "__main__":
    main()
