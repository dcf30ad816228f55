"""Member Markdown becomes safe HTML: the renderer and the sanitiser, each on its own."""

import pytest

from community import rendering

KNOWN = {"maya": (1, "Maya"), "member 3": (3, "Member 3"), "member": (9, "Member")}


def resolve(candidates):
    return {k: v for k, v in KNOWN.items() if k in candidates}


def test_markdown_basics_render():
    out = rendering.render("**bold** *it* ~~gone~~\n\n- one\n- two\n\n> quoted")
    assert "<strong>bold</strong>" in out.html and "<em>it</em>" in out.html
    assert "<s>gone</s>" in out.html or "<del>gone</del>" in out.html
    assert "<li>one</li>" in out.html and "<blockquote>" in out.html
    assert out.text.startswith("bold it gone")


def test_raw_html_is_shown_as_text_not_markup():
    out = rendering.render('<script>alert(1)</script><img src=x onerror="alert(1)">')
    assert "<script" not in out.html and "<img" not in out.html
    assert "&lt;script&gt;" in out.html


@pytest.mark.parametrize("link", [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](java\tscript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](vbscript:msgbox(1))", "<javascript:alert(1)>",
    "[x](&#106;avascript:alert(1))", "[x](file:///etc/passwd)",
])
def test_dangerous_link_schemes_never_become_links(link):
    out = rendering.render(link)
    assert "href" not in out.html.lower() or "javascript" not in out.html.lower().split("href")[1]
    assert 'href="javascript' not in out.html.lower() and 'href="data' not in out.html.lower()
    assert 'href="vbscript' not in out.html.lower() and 'href="file' not in out.html.lower()


def test_links_get_safe_rel_and_images_become_plain_links():
    out = rendering.render("[site](https://example.org) ![pic](https://example.org/p.png)")
    assert 'href="https://example.org"' in out.html
    assert 'rel="nofollow ugc noopener noreferrer"' in out.html
    assert "<img" not in out.html


def test_headings_are_demoted_below_the_page_headings():
    out = rendering.render("# Big\n\n## Smaller")
    assert "<h3>Big</h3>" in out.html and "<h4>Smaller</h4>" in out.html
    assert "<h1" not in out.html and "<h2" not in out.html


def test_mentions_link_to_the_longest_matching_display_name():
    out = rendering.render("Thanks @Member 3 and @maya!", resolve)
    assert '<a href="/members/3" class="mention"' in out.html and "@Member 3</a>" in out.html
    assert '<a href="/members/1" class="mention"' in out.html and "@Maya</a>" in out.html
    assert out.mentioned_ids == [3, 1]


def test_mentions_are_not_made_inside_code_links_or_emails():
    out = rendering.render("`@maya` [@maya](https://example.org) maya@maya.org @nobody", resolve)
    assert "mention" not in out.html
    assert out.mentioned_ids == []


def test_the_sanitiser_alone_strips_what_markdown_could_never_produce():
    dirty = ('<p onclick="x()">a</p><a href="javascript:alert(1)">b</a><iframe src="//e"></iframe>'
             '<svg onload=alert(1)></svg><style>body{}</style><a href="https://ok.example" style="x">c</a>')
    clean = rendering.sanitise(dirty)
    for bad in ("onclick", "javascript", "<iframe", "<svg", "<style", "style="):
        assert bad not in clean
    assert 'href="https://ok.example"' in clean


def test_control_characters_are_dropped():
    assert rendering.clean_text("a\x00b\x02c\x1fd\r\ne") == "abcd\ne"


def test_links_are_counted_linked_or_bare():
    assert rendering.count_links("see https://a.example, http://b.example and www.c.example") == 3
    assert rendering.count_links("no links, just a.b") == 0


def test_quote_block_attributes_and_escapes_the_name():
    block = rendering.quote_block("A*b_c", "/forum/posts/7", "line one\n\nline two")
    assert block.startswith("> **A\\*b\\_c** [wrote](/forum/posts/7):\n>\n> line one\n>\n> line two")
    assert list(rendering.iter_quoted_post_ids(block, __import__("re").compile(r"/forum/posts/(\d+)"))) == [7]
