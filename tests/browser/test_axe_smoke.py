def test_front_page_has_no_serious_accessibility_problems(page, check_a11y):
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "A calm place for life with lupus"
    check_a11y(page)


def test_accessibility_check_catches_a_serious_problem(page, check_a11y):
    # Proves the helper can fail: an unlabelled text field and an image without alt text.
    page.set_content('<!doctype html><html lang="en"><title>t</title><main><input type="text">'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></html>')
    try:
        check_a11y(page)
    except AssertionError as error:
        assert "label" in str(error) or "image-alt" in str(error)
    else:
        raise AssertionError("axe found nothing on a page with known violations")
