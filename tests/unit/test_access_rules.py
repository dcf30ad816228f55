"""Every route declares who may reach it; a new route without a rule fails here."""

from community.permissions import ADMIN, ANONYMOUS_ONLY, MEMBER, PUBLIC, STAFF

KNOWN_RULES = {PUBLIC, ANONYMOUS_ONLY, MEMBER, STAFF, ADMIN}


def test_every_route_has_an_explicit_access_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue  # stylesheets, scripts and images are public files
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access_rule", None) not in KNOWN_RULES:
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert not missing, "routes without an @access rule:\n" + "\n".join(missing)


def test_the_walk_notices_a_route_without_a_rule(make_app):
    app = make_app()
    app.add_url_rule("/forgotten", "forgotten", lambda: "hi")
    view = app.view_functions["forgotten"]
    assert getattr(view, "access_rule", None) is None
