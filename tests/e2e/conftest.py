"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

With E2E_BASE_URL set (.ci/production does) the `page` fixture targets that server instead,
and test_production.py, which needs such a server with the demo data, is collected; the other
tests make their own rows in the test database, which an external server cannot see.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# the test's own ORM calls as "async unsafe". The server thread is unaffected.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_BASE_URL = os.environ.get("E2E_BASE_URL", "").rstrip("/")
# Only collected with a server to aim at: under CI=true a skip would count as a failure.
collect_ignore = [] if E2E_BASE_URL else ["test_production.py"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Chosen at import so that pytest-django sees transactional_db among a test's fixtures whatever
# order the test names them in (the live server only sees committed rows).
if E2E_BASE_URL:

    @pytest.fixture
    def base_url() -> str:
        return E2E_BASE_URL

else:

    @pytest.fixture
    def base_url(live_server, transactional_db) -> str:
        return live_server.url


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page, password):
    def _sign_in(user):
        page.goto("/login/")
        page.fill("#id_username", user.email)
        page.fill("#id_password", password)
        page.click("#content button[type=submit]")
        page.wait_for_url("**/app/**")
        return page

    return _sign_in
