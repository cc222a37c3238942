"""Upgrading a site that ran before versioned publishing: its reviews and live pages carry over honestly."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("content", "0006_markdown_size_limit"), ("conditions", "0004_markdown_size_limit")]


@pytest.fixture
def old_schema(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield MigrationExecutor(connection).loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_old_review_is_kept_but_never_claimed_for_the_current_text(old_schema):
    page_model = old_schema.get_model("content", "Page")
    page = page_model.objects.create(
        title="Old page",
        slug="old-page",
        summary="S",
        body="B",
        body_html="<p>B</p>",
        published=True,
        live={"title": "Old page", "summary": "S", "body_html": "<p>B</p>", "toc": [], "references_html": ""},
        last_reviewed=datetime.date(2026, 1, 5),
        next_review_due=datetime.date(2027, 1, 5),
        reviewer_name="Dr. Old",
        reviewer_credentials="MD",
        source_checksum="abc",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from content.models import Page, Review

    upgraded = Page.objects.get(pk=page.pk)
    assert upgraded.live_slug == "old-page" and upgraded.live["slug"] == "old-page"
    assert upgraded.source_file == "old-page" and upgraded.next_review_due == datetime.date(2027, 1, 5)
    review = Review.objects.get(object_id=page.pk)
    assert (review.reviewer_name, review.reviewer_credentials, review.went_live) == ("Dr. Old", "MD", True)
    assert upgraded.live_review is None  # which text it covered is unknown: not claimed for this one
    assert upgraded.earlier_live_review == review
