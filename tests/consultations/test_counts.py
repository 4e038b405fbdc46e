"""One count of comments, the one a resident can read: the consultation page and the
article's thread both show the visible comments, replies included (hidden and deleted ones
leave a placeholder in the thread but are not counted), and every count is a plural."""

import re

import pytest

from consultations import services
from discussions import services as discussion_services
from quitodecide.pages import subpage_url
from tests.budgets.builders import make_staff
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _author():
    return ResidentFactory().user


def comment(page, *, parent=None, key="art-1"):
    return services.consultation_comment(
        consultation=page,
        user=_author(),
        body="Un comentario.",
        stance="" if parent else "favor",
        provision_key="" if parent else key,
        parent=parent,
    )


def provision_count(html: str, thread_url: str) -> str:
    link = re.search(rf'<a href="{re.escape(thread_url)}">([^<]+)</a>', html)
    assert link, html
    return link.group(1)


def test_the_consultation_page_and_the_thread_agree(client, consultation):
    page = consultation
    first, second, third = comment(page), comment(page), comment(page)
    comment(page, parent=first)
    reply = comment(page, parent=second)
    hidden = comment(page)
    deleted = comment(page)
    discussion_services.comment_hide(comment=hidden, actor=make_staff(city=True), reason="Insultos")
    discussion_services.comment_delete(comment=deleted, user=deleted.author)
    del reply, third

    thread_url = subpage_url(page, "provision_thread", "art-1")
    client.cookies["django_language"] = "en"
    on_page = provision_count(client.get(page.url).content.decode(), thread_url)
    thread_html = client.get(thread_url).content.decode()
    in_thread = re.search(r'data-visible-comments="(\d+)">\(([^)]+)\)', thread_html)
    assert in_thread, thread_html
    # 3 visible top-level comments and 2 replies; the hidden and the deleted one are not.
    assert in_thread.group(1) == "5"
    assert on_page == in_thread.group(2) == "5 comments"
    # Both removed comments still hold their place in the thread (as placeholders).
    assert thread_html.count('class="comment-removed"') == 2


def test_one_comment_is_singular(client, consultation):
    comment(consultation)
    client.cookies["django_language"] = "en"
    thread_url = subpage_url(consultation, "provision_thread", "art-1")
    assert provision_count(client.get(consultation.url).content.decode(), thread_url) == (
        "1 comment"
    )
    assert "(1 comment)" in client.get(thread_url).content.decode()
