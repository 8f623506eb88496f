"""End to end in a browser: Playwright drives the system's Chromium (Debian's package, installed by
``make test``; no browser is downloaded) against ``mgbrain serve``'s app on a local port.

Skipped only on a developer's machine without Chromium; in CI (``CI`` set) a missing browser fails.
"""

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MGBRAIN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    pytest.skip("Chromium is not installed (make test installs it)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
#: Chromium without a sandbox (containers, root in CI) and without its background traffic
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from mgbrain.interfaces.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    end = time.time() + 30
    while not srv.started:
        assert time.time() < end, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(tmp_path_factory.mktemp("chromium-profile")),
                                                       executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        context.close()


def test_planner_form_for_egfr_25_says_not_advised(server, page):
    page.goto(f"{server}/plan")
    page.get_by_label("Age (years)").fill("40")
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("Weight (kg)").fill("78")
    page.get_by_label("Height (cm)").fill("175")
    page.get_by_label("eGFR (mL/min/1.73 m²)").fill("25")
    page.get_by_label("Medicines, one a line").fill("furosemide@08:00\nlisinopril@08:00")
    page.get_by_label("Or dietary Mg (mg/day)").fill("250")
    page.get_by_label("Compound mg per capsule").fill("667")
    page.get_by_role("button", name="Make the plan").click()
    verdict = page.locator(".verdict")
    expect(verdict).to_contain_text("not advised")
    expect(verdict).to_contain_text("NOT ADVISED")
    expect(page.locator(".finding.danger").first).to_contain_text("source:")
    expect(page.locator(".serum-band svg")).to_be_visible()  # the band drawn by the page's script
    with page.expect_download() as download:
        page.get_by_role("button", name="Calendar (.ics)").click()
    assert download.value.suggested_filename == "mgbrain-plan.ics"


def test_pasted_article_gets_highlighted_claims(server, page):
    page.goto(f"{server}/factcheck")
    page.get_by_label("Article text").fill(
        "Magnesium L-threonate is absorbed twice as fast as other forms of magnesium. "
        "People with kidney disease can take as much magnesium as they like. The weather was fine.")
    page.get_by_role("button", name="Check").click()
    marks = page.locator(".article mark")
    expect(marks.first).to_be_visible()
    assert marks.count() >= 2
    expect(page.locator("#factcheck-result")).to_contain_text("mgt-absorbed-twice-as-fast")


def test_trial_page_checks_the_design_and_shows_expected_effects(server, page):
    page.goto(f"{server}/trial")
    page.get_by_label("Subjects per arm").fill("40")
    page.get_by_role("button", name="Check the design").click()
    result = page.locator("#trial-result")
    expect(result).to_contain_text("Expected effects")
    expect(result.locator(".effect").first).to_be_visible()
    expect(page.locator(".forest svg")).to_be_visible()
    page.get_by_label("Subjects per arm").fill("1")
    page.get_by_role("button", name="Check the design").click()
    expect(page.locator("#error")).to_contain_text("trial.n_per_arm")
    expect(page.get_by_label("Subjects per arm")).to_have_attribute("aria-invalid", "true")


def test_a_small_trial_runs_and_shows_its_power_curve(server, page):
    page.goto(f"{server}/trial")
    page.get_by_label("Replicates (simulated trials)").fill("100")
    page.get_by_label("Trial sizes per arm for the power curve").fill("20, 80")
    page.get_by_role("button", name="Run the trial").click()
    expect(page.locator(".job-state")).to_have_text("done", timeout=120_000)
    expect(page.locator(".chart h3").first).to_have_text("Power curve")
    expect(page.locator("table.power")).to_contain_text("n=80")
    expect(page.get_by_role("link", name="Download the HTML report")).to_be_visible()
