"""From a research article to a study's explained result, as a newcomer would go."""

from playwright.sync_api import expect

from tests.helpers import last_email, link_in

EMAIL = "rosa@example.org"
PASSWORD = "amber river lantern"
STUDY = "NCT06333483"  # CARLYSLE, linked from the shipped CAR-T article


def test_visitor_reads_the_car_t_article_joins_consents_and_sees_that_studys_result(page, live_server, check_a11y):
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0

    page.goto("/news/")
    check_a11y(page)
    page.get_by_role("link", name="CAR-T cell therapy for hard-to-treat lupus").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CAR-T cell therapy")
    expect(page.get_by_role("heading", name="What the first report found")).to_be_visible()
    expect(page.get_by_role("link", name="Mackensen A, Müller F")).to_have_attribute(
        "href", "https://doi.org/10.1038/s41591-022-02017-5")
    check_a11y(page)

    page.get_by_role("link", name=f"Check your eligibility for {STUDY}").click()
    expect(page.get_by_role("heading", name="Join Lupus Commons")).to_be_visible()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Display name").fill("Rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I agree to the terms").check()
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(link_in(last_email(app, EMAIL), "/auth/verify/"))
    check_a11y(page)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Back on the path to the study: first the opt-in, with that study highlighted.
    expect(page.get_by_role("heading", name="How trial suggestions work")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text(STUDY)
    check_a11y(page)
    page.get_by_label("I have read how matching works").check()
    page.get_by_role("button", name="Turn on trial suggestions").click()

    # The study's own page, with this member's criterion-by-criterion comparison.
    assert f"/trials/studies/{STUDY}" in page.url
    expect(page.get_by_role("heading", name="How your records compare")).to_be_visible()
    expect(page.get_by_text("Only your doctor or the study team can check this.").first).to_be_visible()
    expect(page.get_by_text("eligible", exact=False)).to_have_count(0)
    check_a11y(page)
