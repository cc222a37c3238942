"""The one Markdown pipeline: what it keeps, what it strips, and that the preview is the page."""

import time

import pytest
from django.core.exceptions import ValidationError
from test_editing import admin_data

from content import publishing
from content.markdown import MAX_MARKDOWN_BYTES, MarkdownTooComplex, markdownify, render, validate_markdown
from content.models import Page

ATTACKS = {
    "script": "<script>alert('x')</script>Hello",
    "event handler": '<a href="/learn/" onclick="alert(1)">Hello</a> <img src="/x.png" alt="x" onerror="alert(1)">',
    "javascript url": "[Hello](javascript:alert(1))",
    "javascript url in html": '<a href="JaVaScRiPt:alert(1)">Hello</a>',
    "data url": '[Hello](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <img src="data:image/png;base64,AAAA" alt="x">',
    "iframe": '<iframe src="https://example.com/"></iframe>Hello',
    "inline style": '<p style="position:fixed;top:0">Hello</p>',
    "style element": "<style>body{display:none}</style>Hello",
    "object": '<object data="x.swf"></object><embed src="x.swf">Hello',
    "form": '<form action="https://evil.example/"><input name="q"></form>Hello',
}
FORBIDDEN = [
    "<script",
    "onclick",
    "onerror",
    "javascript:",
    "data:",
    "<iframe",
    "style=",
    "<style",
    "<object",
    "<embed",
    "<form",
    "<input",
    "alert('x')",
    "display:none",
]


@pytest.mark.parametrize("name", ATTACKS)
def test_pipeline_strips_unsafe_html(name):
    html = markdownify(ATTACKS[name]).lower()
    for forbidden in FORBIDDEN:
        assert forbidden not in html, f"{name}: {forbidden!r} survived in {html!r}"


def test_external_links_get_noopener_and_internal_links_do_not():
    html = markdownify("[FDA](https://www.fda.gov/) and [side effects](/learn/side-effects-and-risks/)")
    assert '<a href="https://www.fda.gov/" rel="noopener noreferrer">FDA</a>' in html
    assert '<a href="/learn/side-effects-and-risks/">side effects</a>' in html


def test_author_cannot_set_their_own_rel_or_target():
    html = markdownify('<a href="https://example.com/" rel="opener" target="_blank">x</a>')
    assert 'rel="noopener noreferrer"' in html
    assert 'opener"' not in html.replace('rel="noopener noreferrer"', "")
    assert "target" not in html


def test_headings_get_anchors_and_feed_the_table_of_contents():
    rendered = render(
        "## Will it hurt?\n\nNo.\n\n### Does the needle hurt?\n\nA little.\n\n## Can I drive home?\n"
    )
    assert '<h2 id="will-it-hurt">Will it hurt?</h2>' in rendered.html
    assert '<h3 id="does-the-needle-hurt">' in rendered.html
    assert rendered.toc == [
        {"id": "will-it-hurt", "title": "Will it hurt?"},
        {"id": "can-i-drive-home", "title": "Can I drive home?"},
    ]


def test_a_body_h1_becomes_h2_so_the_title_stays_the_only_h1():
    rendered = render("# Oops\n\nText")
    assert "<h1" not in rendered.html
    assert '<h2 id="oops">Oops</h2>' in rendered.html


def test_tables_lists_and_definition_lists_render_without_inline_styles():
    html = markdownify("| Route | Time |\n|:--|--:|\n| IV | 40 min |\n\n- one\n- two\n\nTerm\n: Meaning\n")
    assert "<table>" in html and "<th>Route</th>" in html and "<td>40 min</td>" in html
    assert "style" not in html
    assert "<ul>\n<li>one</li>" in html
    assert "<dt>Term</dt>" in html and "<dd>Meaning</dd>" in html


def test_footnote_references_render_and_link_both_ways():
    html = markdownify("A fact.[^1]\n\n[^1]: FDA label, 2025.")
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert '<li id="fn:1">' in html
    assert 'class="footnote-backref" href="#fnref:1"' in html


def test_callout_boxes_keep_only_known_classes():
    html = markdownify(
        '!!! warning "Do not drive"\n    Arrange a ride home.\n\n<div class="evil warning">x</div>'
    )
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Do not drive</p>' in html
    assert 'class="evil' not in html


def test_unknown_callout_kind_loses_its_class_but_keeps_its_text():
    html = markdownify('!!! sparkle "Shiny"\n    Text stays.')
    assert "sparkle" not in html
    assert "Text stays." in html


def published_page(**fields):
    """A page made and published the way the site does it (content.publishing), as the site itself."""
    page = Page(**fields)
    publishing.save_draft(document=page, user=None)
    publishing.publish(document=page, user=None)
    return page


@pytest.mark.django_db
def test_public_page_is_sanitized_too(client):
    page = published_page(
        title="T",
        slug="t",
        summary="S",
        body='Hi <script>alert(\'x\')</script><a href="javascript:alert(1)" onmouseover="x()">link</a>',
    )
    response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hi" in body
    assert "alert('x')" not in body and "javascript:" not in body and "onmouseover" not in body


@pytest.mark.django_db
def test_preview_refuses_anonymous_users(client):
    response = client.post("/markdownx/markdownify/", {"content": "# Hi"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_preview_refuses_staff_without_edit_permission(client, staff_without_edit):
    client.force_login(staff_without_edit)
    assert client.post("/markdownx/markdownify/", {"content": "# Hi"}).status_code == 403


@pytest.mark.django_db
def test_preview_refuses_get(client, editor):
    client.force_login(editor)
    assert client.get("/markdownx/markdownify/").status_code == 405


@pytest.mark.django_db
def test_preview_without_content_is_a_clear_400(client, editor):
    client.force_login(editor)
    assert client.post("/markdownx/markdownify/", {}).status_code == 400


@pytest.mark.django_db
def test_preview_returns_exactly_the_html_the_public_page_shows(client, editor):
    source = (
        "## Will it hurt?\n\nMost people feel a pinch.[^1] See [FDA](https://www.fda.gov/).\n\n"
        '!!! note "Good to know"\n    Bring a friend.\n\n<script>alert(1)</script>\n\n[^1]: A source.'
    )
    page = published_page(title="Preview", slug="preview", summary="S", body=source)
    client.force_login(editor)
    preview = client.post("/markdownx/markdownify/", {"content": source}).content.decode()
    public = client.get(page.get_absolute_url()).content.decode()
    assert preview == page.body_html
    assert f'<div class="prose">{preview}</div>' in public
    assert "<script>alert" not in preview


@pytest.mark.django_db
def test_upload_endpoint_refuses_anonymous_and_non_editors(client, staff_without_edit):
    assert client.post("/markdownx/upload/", {}).status_code == 403
    client.force_login(staff_without_edit)
    assert client.post("/markdownx/upload/", {}).status_code == 403


@pytest.mark.django_db
def test_html_is_rendered_on_save_not_per_request(client, django_assert_num_queries, monkeypatch):
    page = published_page(title="T", slug="t", summary="S", body="## Hello?\n\nWorld.")
    assert '<h2 id="hello">Hello?</h2>' in page.body_html

    def fail(*args, **kwargs):
        raise AssertionError("Markdown was rendered during a page request")

    monkeypatch.setattr("content.models.render", fail)
    assert client.get(page.get_absolute_url()).status_code == 200


# Size: text long enough to tie up a worker is refused before rendering, with the reason. -------------


def text_of_bytes(size):
    """Plain Markdown paragraphs of exactly `size` UTF-8 bytes, with some two-byte letters."""
    paragraph = "Ketamine is given in a clinic, and people rest afterwards. Café visits can wait.\n\n"
    text = paragraph * (size // len(paragraph.encode()) + 1)
    text = text.encode()[:size].decode("utf-8", errors="ignore")
    return text + "x" * (size - len(text.encode()))


def test_the_limit_counts_utf8_bytes():
    assert MAX_MARKDOWN_BYTES == 200 * 1024
    text = text_of_bytes(MAX_MARKDOWN_BYTES + 1)
    assert len(text.encode()) == MAX_MARKDOWN_BYTES + 1 and len(text) < MAX_MARKDOWN_BYTES


def test_the_validator_refuses_text_one_byte_over_the_limit_and_says_how_big_it_is():
    validate_markdown(text_of_bytes(MAX_MARKDOWN_BYTES))  # exactly at the limit is fine
    validate_markdown(text_of_bytes(MAX_MARKDOWN_BYTES - 1))
    with pytest.raises(ValidationError) as refused:
        validate_markdown(text_of_bytes(MAX_MARKDOWN_BYTES + 1))
    message = refused.value.messages[0]
    assert "204,801 bytes" in message and "200 KB (204,800 bytes)" in message


def test_rendering_refuses_oversize_text_the_way_the_preview_expects():
    with pytest.raises(MarkdownTooComplex, match="204,801 bytes"):
        render(text_of_bytes(MAX_MARKDOWN_BYTES + 1))
    assert render(text_of_bytes(MAX_MARKDOWN_BYTES)).html.startswith("<p>Ketamine")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/markdownx/markdownify/", "/markdownx/check/"])
def test_the_preview_and_check_refuse_a_megabyte_quickly_with_a_message(client, editor, url):
    client.force_login(editor)
    started = time.monotonic()
    response = client.post(url, {"content": text_of_bytes(1_000_000)})
    assert response.status_code == 400
    assert (
        "1,000,000 bytes" in response.content.decode() and "the limit is 200 KB" in response.content.decode()
    )
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("field", ["body", "references"])
def test_the_admin_form_refuses_an_oversize_text_and_keeps_what_was_typed(client, editor, authored, field):
    page = Page.objects.get(slug="faq")
    before = (page.body, page.references, page.version)
    oversize = text_of_bytes(MAX_MARKDOWN_BYTES + 1000)
    data = admin_data(page, next_review_due="", **{field: oversize}, _continue="Save draft")
    client.force_login(editor)
    response = client.post(f"/admin/content/page/{page.pk}/change/", data)
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors[field]
    assert f"({len(oversize.encode()):,} bytes)" in error and "the limit is 200 KB" in error
    html = response.content.decode()
    assert "the limit is 200 KB" in html
    assert oversize[-5000:].replace("\n", "") in html.replace("\n", "")  # the text is still in the box
    page.refresh_from_db()
    assert (page.body, page.references, page.version) == before


@pytest.mark.parametrize(
    "text, named",
    [
        ("<div>" * 2001, "angle brackets"),
        ("*a" * 5001, "emphasis marks"),
        ("*a" * 2600 + "_a" * 2600, "emphasis marks"),
        ("- a\n" + " " * 65 + "- b\n", "spaces"),
    ],
)
def test_text_that_would_tie_up_a_worker_is_refused_before_rendering(text, named):
    with pytest.raises(MarkdownTooComplex, match=named):
        render(text)
    with pytest.raises(ValidationError):
        validate_markdown(text)


def test_the_costliest_text_still_accepted_is_checked_well_inside_a_workers_time_limit():
    from time import perf_counter

    from content.checks import check_markdown

    for text in ["<div>" * 2000, "*a" * 5000, "".join("  " * (i % 33) + "- a\n" for i in range(4500))]:
        start = perf_counter()
        check_markdown(text)
        assert perf_counter() - start < 10  # gunicorn's limit is 30 s; measured about 2 s
