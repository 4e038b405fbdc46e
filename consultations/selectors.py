"""Reads for consultations: lists, the page of a version, diffs and the report. Query counts
do not grow with the number of comments (tests assert it)."""

import difflib
import re

from django.utils import timezone

from territory.models import Zone
from territory.selectors import prime_zones

from . import matching
from .models import ConsultationPage, DraftVersion, Provision, Status

STANCES = ("favor", "contra", "neutral")


def consultation_list(params) -> dict:
    """All live consultations, filtered by zone slug and status."""
    now = timezone.now()
    pages = list(ConsultationPage.objects.live().public().order_by("-opens_at"))
    prime_zones(pages)
    rows = [{"page": page, "zone": page.zone, "status": page.status_at(now)} for page in pages]
    zone_slug = (params.get("zona") or "").strip()
    status = (params.get("estado") or "").strip()
    if zone_slug == "ciudad":
        rows = [row for row in rows if row["zone"] is None]
    elif zone_slug:
        rows = [row for row in rows if row["zone"] and row["zone"].slug == zone_slug]
    if status in Status.values:
        rows = [row for row in rows if row["status"] == status]
    return {
        "consultations": rows,
        "zones": Zone.objects.order_by("name"),
        "statuses": Status.choices,
        "selected_zone": zone_slug,
        "selected_status": status,
    }


def version_provisions(version: DraftVersion) -> list:
    """Provisions of a version with their visible comment counts by stance (1 query: the
    counters are denormalised on the thread)."""
    provisions = list(version.provisions.select_related("thread"))
    empty = {"total": 0, "favor": 0, "contra": 0, "neutral": 0}
    for provision in provisions:
        provision.counts = provision.thread.counts if provision.thread_id else empty
    return provisions


_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in equal/insert/delete, word by word, whitespace kept."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    segments: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            segments.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


def _full_text(provision) -> str:
    return f"{provision.heading}\n{provision.body}".strip() if provision else ""


def version_diff(old: DraftVersion, new: DraftVersion) -> list[dict]:
    """Per provision of `new`, paired with its counterpart in `old` by identity (the thread
    the matching gave it; headings, which have none, by key), in the new order with each
    removed provision where it stood. Each row: `provision`, `before` (the old provision or
    None), `change` (added, removed, moved, changed, renumbered, unchanged: the main one),
    the flags `moved`, `renumbered` and `edited`, `label_before` (the old label when it
    changed) and `segments` (a word diff when the text changed, else empty). Two queries."""
    old_items = list(old.provisions.all())
    new_items = list(new.provisions.all())
    old_by_thread = {p.thread_id: p for p in old_items if p.thread_id}
    old_headings = {p.key: p for p in old_items if not p.thread_id}
    position_of = {p.pk: index for index, p in enumerate(old_items)}
    pairs: list[tuple] = []
    for provision in new_items:
        if provision.thread_id:
            before = old_by_thread.get(provision.thread_id)
        else:
            before = old_headings.get(provision.key)
        pairs.append((provision, before))
    matched = [(index, position_of[b.pk]) for index, (_p, b) in enumerate(pairs) if b]
    commentable = [(i, j) for i, j in matched if pairs[i][0].thread_id]
    kept = matching.kept_in_order([j for _i, j in commentable])
    moved = {commentable[n][0] for n in range(len(commentable)) if n not in kept}
    rows: list[dict] = []
    row_of_old: dict[int, int] = {}
    for index, (provision, before) in enumerate(pairs):
        if before is None:
            rows.append(_diff_row(provision, None, "added", [("insert", _full_text(provision))]))
            continue
        row_of_old[position_of[before.pk]] = len(rows)
        edited = _full_text(before) != _full_text(provision)
        renumbered = before.label != provision.label
        segments = word_diff(_full_text(before), _full_text(provision)) if edited else []
        if index in moved:
            change = "moved"
        elif edited:
            change = "changed"
        elif renumbered:
            change = "renumbered"
        else:
            change = "unchanged"
        rows.append(
            _diff_row(
                provision,
                before,
                change,
                segments,
                moved=index in moved,
                renumbered=renumbered,
                edited=edited,
            )
        )
    # Removed provisions, each after the row of the nearest earlier one that continues.
    removed_after: dict[int, list[dict]] = {}
    last = -1
    continued = {b.pk for _p, b in pairs if b}
    for position, provision in enumerate(old_items):
        if provision.pk in continued:
            last = row_of_old[position]
            continue
        removed_after.setdefault(last, []).append(
            _diff_row(provision, provision, "removed", [("delete", _full_text(provision))])
        )
    result = list(removed_after.get(-1, []))
    for index, row in enumerate(rows):
        result.append(row)
        result.extend(removed_after.get(index, []))
    return result


def _diff_row(provision, before, change, segments, **flags) -> dict:
    renumbered = flags.get("renumbered", False)
    return {
        "provision": provision,
        "before": before,
        "change": change,
        "segments": segments,
        "moved": flags.get("moved", False),
        "renumbered": renumbered,
        "edited": flags.get("edited", False),
        "label_before": before.label if renumbered else "",
    }


# --- article identity -------------------------------------------------------------------


def thread_labels(consultation, thread_ids) -> dict[tuple[int, int], str]:
    """{(thread id, version number): the label the article had in that version} for the
    given threads of `consultation`: one query, however many comments show them."""
    ids = [pk for pk in set(thread_ids) if pk]
    if not ids:
        return {}
    rows = Provision.objects.filter(version__consultation=consultation, thread_id__in=ids)
    return {
        (thread_id, number): label
        for thread_id, number, label in rows.values_list("thread_id", "version__number", "label")
    }


def current_provision(consultation, key: str, version_number=None, *, latest=None):
    """The provision a link to article `key` means, and whether it is in the latest version.

    Without a version number, `key` is read in the latest version; a key it no longer has
    (an article since renumbered or deleted) is read in the latest version that had it.
    With a version number (links from an old version's page), `key` is read in that
    version. Either way the article is then followed by its identity (its thread) to the
    latest version: (the latest provision, True) when it continues there, (the old
    provision, False) when it was deleted, None when no version has it."""
    if latest is None:
        latest = consultation.versions.order_by("-number").first()
    if latest is None:
        return None
    commentable = Provision.objects.filter(
        version__consultation=consultation, key=key, thread__isnull=False
    ).select_related("version", "thread")
    if version_number is None or version_number == latest.number:
        found = commentable.filter(version=latest).first()
        if found is not None:
            return found, True
        found = commentable.order_by("-version__number").first()
    else:
        found = commentable.filter(version__number=version_number).first()
    if found is None:
        return None
    if found.version_id == latest.pk:
        return found, True
    continued = (
        latest.provisions.filter(thread_id=found.thread_id).select_related("version", "thread")
    ).first()
    if continued is not None:
        return continued, True
    return found, False


def draft_matching(consultation, text: str) -> dict:
    """The proposed matching of a draft's commentable provisions to the latest version's,
    with the staff's corrections when they were made for this very draft. Keys: `version`
    (the latest version, or None), `lines` (matching.Pairing), `counts` (per change),
    `error` (the parser's messages), `unchanged_draft` (the draft is the latest version),
    `corrected` (corrections apply), `draft_sha`."""
    from .parser import ParseError, parse_ordinance

    version = consultation.versions.order_by("-number").first()
    result = {
        "version": version,
        "lines": [],
        "counts": {},
        "error": [],
        "unchanged_draft": False,
        "corrected": False,
        "draft_sha": matching.draft_sha(text),
    }
    if version is None:
        return result
    if version.source_text == text:
        result["unchanged_draft"] = True
        return result
    try:
        parsed = parse_ordinance(text or "")
    except ParseError as error:
        result["error"] = error.messages
        return result
    corrections = matching.stored_corrections(
        consultation.article_matching, result["draft_sha"], version.number
    )
    lines = matching.apply_corrections(
        matching.propose(list(version.provisions.all()), parsed.provisions), corrections
    )
    result.update(
        lines=lines,
        counts=matching.summary(lines),
        corrected=bool(corrections),
        parsed=parsed,
    )
    return result
