"""From a research article to a study's explained result, as a newcomer would go."""

from playwright.sync_api import expect

from tests.support.observe import last_email, link_in

EMAIL = "rosa@example.org"
PASSWORD = "amber river lantern"
STUDY = "NCT06333483"  # CARLYSLE, linked from the shipped CAR-T article
KYSA_3 = "NCT06342960"  # linked from it too; its registry status is not confirmed


def join_confirm_and_sign_in(page, app, check_a11y, email=EMAIL):
    """On the sign-up page an article's button led to: join, confirm the address, and sign in."""
    expect(page.get_by_role("heading", name="Join Lupus Commons")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Display name").fill("Rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I agree to the terms").check()
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(link_in(last_email(app, email), "/auth/verify/"))
    check_a11y(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


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
    join_confirm_and_sign_in(page, app, check_a11y)

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


def test_a_newcomer_who_came_for_a_study_not_confirmed_recruiting_sees_it_compared_and_recruiting_ones_like_it(
        page, live_server, check_a11y):
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    page.goto("/news/car-t-cell-therapy-for-refractory-lupus")

    page.get_by_role("link", name=f"Check your eligibility for {KYSA_3}").click()
    expect(page.get_by_role("note")).to_contain_text("You're signing up to check whether KYSA-3: A Study of")
    expect(page.get_by_role("note")).to_contain_text("might fit your records")
    check_a11y(page)
    join_confirm_and_sign_in(page, app, check_a11y, email="ines@example.org")

    note = page.get_by_role("note")
    expect(note).to_contain_text("KYSA-3: A Study of Anti-CD19")
    expect(note).not_to_contain_text("KYSA-3: KYSA-3")
    page.get_by_label("I have read how matching works").check()
    page.get_by_role("button", name="Turn on trial suggestions").click()

    # Not "this one isn't compared": every criterion beside her records, and the status said plainly.
    assert f"/trials/studies/{KYSA_3}" in page.url
    expect(page.get_by_role("heading", name="How your records compare")).to_be_visible()
    expect(page.get_by_text("The registry does not confirm this study is recruiting — check with the study team "
                            "before you act.")).to_be_visible()
    expect(page.get_by_text("Diagnosis: lupus nephritis").first).to_be_visible()
    expect(page.get_by_text("isn't compared with your records")).to_have_count(0)
    expect(page.get_by_text("eligible", exact=False)).to_have_count(0)

    similar = page.get_by_role("region", name="Recruiting studies like this one")
    expect(similar).to_be_visible()
    expect(similar.get_by_role("listitem")).to_have_count(3)
    expect(similar.get_by_text("Recruiting ·").first).to_be_visible()
    check_a11y(page)
    similar.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="How your records compare")).to_be_visible()
    expect(page.locator(".status-caveat")).to_have_count(0)  # a recruiting study needs no caveat
