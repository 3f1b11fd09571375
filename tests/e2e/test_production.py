"""Browser: the production server (.ci/production) works in a browser, not only for a crawler.

Collected only when E2E_BASE_URL names a server running with DEBUG off, collected static files
and the demo data (see conftest.py). Every page must load without a console error, a page
error or a failed request; the charts must draw from the collected, hashed Chart.js.
"""

import os
import re

import pytest

pytestmark = pytest.mark.e2e

EMAIL = os.environ.get("E2E_EMAIL", "avery.johnson@riverside.example")
PASSWORD = os.environ.get("E2E_PASSWORD", "ax-demo-lead")
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "")
HASHED_CHART_JS = re.compile(r"/static/vendor/chart\.umd\.min\.[0-9a-f]{12}\.js$")


@pytest.fixture
def problems(page):
    """Console errors, uncaught page errors and failed requests seen while the test ran."""
    seen: list[str] = []
    page.on("console", lambda m: m.type == "error" and seen.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: seen.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and seen.append(f"{r.status}: {r.url}"))
    return seen


@pytest.fixture
def lead_page(page, problems):
    page.goto("/login/")
    page.fill("#id_username", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.click("#content button[type=submit]")
    page.wait_for_url("**/app/**")
    return page


def shoot(page, name: str) -> None:
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_home_and_registry_load_with_their_styles(lead_page, problems):
    page = lead_page
    page.goto("/app/")
    assert page.locator("h1").first.is_visible()
    # The stylesheet is the collected, hashed file and it applied (the body is not unstyled).
    sheets = page.evaluate("() => [...document.styleSheets].map(s => s.href).filter(Boolean)")
    assert sheets and all(re.search(r"\.[0-9a-f]{12}\.css$", href) for href in sheets), sheets
    page.goto("/app/audiences/")
    assert page.locator("a[href^='/app/audiences/']").count() > 3
    assert problems == []


def test_an_audience_dashboard_draws_its_charts_from_the_hashed_chart_js(lead_page, problems):
    page = lead_page
    scripts: list[tuple[str, int]] = []
    page.on("response", lambda r: "chart.umd" in r.url and scripts.append((r.url, r.status)))
    page.goto("/app/audiences/")
    slug = page.evaluate(
        """() => [...document.querySelectorAll("a[href^='/app/audiences/']")]
                 .map(a => a.getAttribute('href').split('/')[3])
                 .find(s => s && !['new', 'top-ten'].includes(s))"""
    )
    assert slug
    page.goto(f"/app/audiences/{slug}/dashboard/")
    page.locator('canvas.trend-chart[data-rendered="true"]').first.wait_for()
    assert page.evaluate("() => typeof window.Chart") == "function"
    assert len(scripts) == 1 and HASHED_CHART_JS.search(scripts[0][0]), scripts
    assert scripts[0][1] == 200
    painted = page.evaluate(
        """() => [...document.querySelectorAll('canvas.trend-chart')].some(c => {
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
             return false;
           })"""
    )
    assert painted
    shoot(page, "dashboard")
    assert problems == []


def test_the_api_docs_render_swagger_ui(lead_page, problems):
    page = lead_page
    page.goto("/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() > 5
    assert "AX Registry" in page.locator(".swagger-ui .info .title").inner_text()
    shoot(page, "api-docs")
    assert problems == []
