"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (``apt-get install chromium``;
``make browsers`` or ``bash .ci/run`` install it). Without it the tests are skipped.

One browser per test module (the workflows share one module, so one browser per run), not per session:
Playwright's sync API keeps an asyncio event loop *running* in the main thread while it is started, and Django
refuses ORM calls from a thread with a running loop (``SynchronousOnlyOperation``). So the fixture allows them
only while the browser is up (``DJANGO_ALLOW_ASYNC_UNSAFE``) and stops Playwright when the module is done: no
other test of the session runs next to a live event loop or inherits the variable (``check --deploy`` fails
on it). Not "package" scope either: ``tests/e2e`` has no ``__init__.py``, and pytest treats a package-scoped
fixture outside a package as session-scoped.

Screenshots land in ``var/screenshots/<test name>-<step>.png``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# The ERP engine's fixtures (a small Sage company, a connected integration, the approver and the PM).
from tests.erp.conftest import approver, connected, join_project, pm, sage_company, synced_cost_codes  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_MISSING = (
    f"browser tests need Debian's Chromium at {CHROMIUM} (`make browsers`, or `apt-get install chromium`)"
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK)


@pytest.fixture(scope="module")
def browser():
    if not chromium_available():
        pytest.skip(CHROMIUM_MISSING)
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh context and page per test, its base URL the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-US", timezone_id="America/Chicago")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(request, page):
    """``screenshot("before-accept")`` saves the whole page as ``var/screenshots/<test name>-before-accept.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def log_in(page):
    """Sign in through the admin's login page, as a person would (``make_user``'s password is "x")."""
    from playwright.sync_api import expect

    def sign_in(user, password: str = "x"):
        page.goto("/admin/login/")
        page.locator("input[name=username]").fill(user.username)
        page.locator("input[name=password]").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#user-tools")).to_contain_text("Welcome")
        return page

    return sign_in
