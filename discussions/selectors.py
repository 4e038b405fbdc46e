"""Reads of the discussion engine: a page of a thread with its replies, in a fixed number
of queries whatever the number of comments."""

from dataclasses import dataclass, field

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

from quitodecide import rulebook

from .models import MAX_DEPTH, Comment, Support

PAGE_SIZE = 20
SORTS = {
    "recientes": ("-created_at", "-pk"),
    "apoyados": ("-support_count", "-created_at", "-pk"),
}
DEFAULT_SORT = "recientes"


@dataclass
class ThreadPage:
    page: object
    sort: str
    replies: dict[int, list] = field(default_factory=dict)
    supported_ids: set[int] = field(default_factory=set)
    # The thread's visible comments, replies included: the number the host page shows next
    # to the thread too (Thread.comment_count), so both agree with what a resident reads.
    # (The pages count top-level comments, placeholders of removed ones included.)
    visible_count: int = 0


def _with_author(queryset):
    return queryset.select_related("author__resident")


def thread_page(thread, *, sort: str = DEFAULT_SORT, page_number=1, user=None) -> ThreadPage:
    sort = sort if sort in SORTS else DEFAULT_SORT
    top_level = Comment.objects.filter(thread=thread, parent__isnull=True).order_by(*SORTS[sort])
    # The page's ids first, from the index of its order (a deep page skips index entries,
    # not whole rows joined to their authors), then those comments in full.
    paginator = Paginator(top_level.values_list("pk", flat=True), PAGE_SIZE)
    try:
        page = paginator.page(page_number)
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    ids = list(page.object_list)
    by_id = _with_author(Comment.objects.filter(pk__in=ids)).in_bulk()
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    result = ThreadPage(page=page, sort=sort, visible_count=thread.comment_count)
    parent_ids = [comment.pk for comment in page.object_list]
    all_ids = list(parent_ids)
    # One query per reply level (at most MAX_DEPTH - 1), oldest first within a conversation.
    for _level in range(MAX_DEPTH - 1):
        if not parent_ids:
            break
        level = list(
            _with_author(Comment.objects.filter(parent_id__in=parent_ids)).order_by(
                "created_at", "pk"
            )
        )
        for reply in level:
            result.replies.setdefault(reply.parent_id, []).append(reply)
        parent_ids = [reply.pk for reply in level]
        all_ids.extend(parent_ids)
    if user is not None and user.is_authenticated and all_ids:
        result.supported_ids = set(
            Support.objects.filter(user=user, comment_id__in=all_ids).values_list(
                "comment_id", flat=True
            )
        )
    # Attach what templates need to each comment, so they render recursively.
    for comment in [*page.object_list, *(r for rs in result.replies.values() for r in rs)]:
        comment.children = result.replies.get(comment.pk, [])
        comment.supported_by_me = comment.pk in result.supported_ids
        comment.can_edit_now = user is not None and rulebook.allowed(
            user, "discussions.edit", comment
        )
    return result


def latest_comments(thread, count: int) -> list:
    """The newest visible top-level comments of a thread, for excerpts (1 query)."""
    return list(
        _with_author(
            Comment.objects.filter(
                thread=thread, parent__isnull=True, status=Comment.Status.VISIBLE
            )
        ).order_by("-created_at", "-pk")[:count]
    )


def moderation_queue(user):
    """Comments with open flags that `user` may moderate."""
    from territory.permissions import staff_zones

    queryset = Comment.objects.filter(open_flag_count__gt=0).select_related(
        "thread__zone", "author"
    )
    zones = staff_zones(user)
    return queryset if zones is None else queryset.filter(thread__zone__in=zones)
