"""Every community-insights page, with published numbers in it, passes axe; and a member opts in with the keyboard."""

from __future__ import annotations

from datetime import date, timedelta

from community.insights.refresh import refresh
from tests.support.factories import PASSWORD
from tests.support.insights import TODAY, member, on, rated
from tests.support.tracking import seed_catalogues


def test_insights_pages_with_numbers_are_accessible(page, live_server, check_a11y):
    with live_server.app.app_context():
        seed_catalogues()
        for n in range(12):
            user = member(birth_year=1980 + n % 2)
            on(user, side_effect="Nausea", severity=2, rating="moderately", stop=TODAY - timedelta(days=5) if n % 2
               else None, reason="side_effects" if n % 2 else "")
            rated(user, [TODAY - timedelta(days=2), date(2025, 5, 20), date(2025, 8, 10)])  # before and after a start
        member(email="reader@example.org", consent=False)
        refresh(today=TODAY)

    page.goto("/auth/login")
    page.fill("#email", "reader@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    for path in ["/insights/", "/insights/?group=sle", "/insights/treatments/hydroxychloroquine",
                 "/insights/treatments/hydroxychloroquine?group=sle:40-59", "/insights/treatments/belimumab",
                 "/insights/symptoms", "/insights/conditions/sle", "/insights/conditions/cutaneous",
                 "/insights/contribute", "/tracking/"]:
        response = page.goto(path)
        assert response.status == 200, path
        check_a11y(page)
    page.goto("/insights/treatments/hydroxychloroquine")
    assert "about 10" in page.inner_text("main")
    assert page.locator("figure.insight-chart svg[role=img]").count() == 1
    page.locator("figure.insight-chart").screenshot(path="/tmp/insights-chart.png")
    page.goto("/insights/contribute")
    page.get_by_label("I have read what is counted").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Count my records").click()
    assert "Your records will be counted from the next refresh" in page.inner_text("main")
    check_a11y(page)
