"""A thread's pages: every top-level comment exactly once, in the order of the sort chosen
(ties broken by id), whatever the page, in the same number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discussions.models import Comment, Thread
from discussions.selectors import PAGE_SIZE, thread_page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _grow(thread, count, authors):
    """`count` top-level comments, three to a timestamp (ties), supports cycling 0-4, every
    seventh hidden (a placeholder that keeps its place on the page)."""
    start = timezone.now() - datetime.timedelta(days=1)
    rows = [
        Comment(
            thread=thread,
            author=authors[i % len(authors)],
            body=f"Comentario {i}",
            support_count=i % 5,
            status=Comment.Status.HIDDEN if i % 7 == 0 else Comment.Status.VISIBLE,
            moderation_reason="spam" if i % 7 == 0 else "",
        )
        for i in range(count)
    ]
    created = Comment.objects.bulk_create(rows)
    for i, comment in enumerate(created):
        comment.created_at = start + datetime.timedelta(minutes=i // 3)
    Comment.objects.bulk_update(created, ["created_at"])
    return created


def _pages(thread, sort):
    pages, number = [], 1
    while True:
        result = thread_page(thread, sort=sort, page_number=number)
        pages.append([comment.pk for comment in result.page.object_list])
        if not result.page.has_next():
            return pages
        number += 1


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("recientes", lambda c: (-c.created_at.timestamp(), -c.pk)),
        ("apoyados", lambda c: (-c.support_count, -c.created_at.timestamp(), -c.pk)),
    ],
)
def test_pages_hold_every_comment_once_in_the_sort_order(territory, sort, key):
    thread = Thread.objects.create(title="Artículo de prueba")
    created = _grow(thread, 2 * PAGE_SIZE + 7, [UserFactory() for _ in range(3)])
    expected = [
        c.pk for c in sorted(Comment.objects.filter(pk__in=[c.pk for c in created]), key=key)
    ]
    pages = _pages(thread, sort)
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 7]
    assert [pk for page in pages for pk in page] == expected
    # the comments of a page come whole, with their authors, in no more queries
    result = thread_page(thread, sort=sort, page_number=2)
    with CaptureQueriesContext(connection) as queries:
        names = [comment.author.email for comment in result.page.object_list]
    assert len(names) == PAGE_SIZE and len(queries) == 0


def test_a_deep_page_costs_the_queries_of_the_first(territory):
    thread = Thread.objects.create(title="Artículo de prueba")
    _grow(thread, 6 * PAGE_SIZE, [UserFactory() for _ in range(3)])
    counts = []
    for number in (1, 6, 99, "x"):  # beyond the last page and nonsense: the first page
        with CaptureQueriesContext(connection) as queries:
            result = thread_page(thread, page_number=number)
        counts.append(len(queries))
        assert len(result.page.object_list) == PAGE_SIZE
    assert len(set(counts)) == 1, counts
