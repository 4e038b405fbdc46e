"""Reads for consultations: lists, the page of a version, diffs and the report. Query counts
do not grow with the number of comments (tests assert it)."""

import difflib
import re
from collections import Counter, defaultdict

from django.db.models import Count
from django.utils import timezone

from discussions.models import Comment, Support
from territory.models import Zone
from territory.selectors import prime_zones

from .models import ConsultationPage, DraftVersion, InPersonSession, SessionObservation, Status

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
    """Per provision (by key): added, removed, changed (with a word diff) or unchanged."""
    old_items = {p.key: p for p in old.provisions.all()}
    new_items = list(new.provisions.all())
    rows = []
    for provision in new_items:
        before = old_items.pop(provision.key, None)
        if before is None:
            rows.append(
                {
                    "provision": provision,
                    "change": "added",
                    "segments": [("insert", _full_text(provision))],
                }
            )
        elif _full_text(before) != _full_text(provision):
            rows.append(
                {
                    "provision": provision,
                    "change": "changed",
                    "segments": word_diff(_full_text(before), _full_text(provision)),
                }
            )
        else:
            rows.append({"provision": provision, "change": "unchanged", "segments": []})
    for provision in old_items.values():
        rows.append(
            {
                "provision": provision,
                "change": "removed",
                "segments": [("delete", _full_text(provision))],
            }
        )
    return rows


def report_data(consultation: ConsultationPage) -> dict:
    """Everything the participation report shows, in a fixed number of queries."""
    version = consultation.versions.order_by("-number").first()
    provisions = version_provisions(version) if version else []
    thread_ids = [p.thread_id for p in provisions if p.thread_id]
    if consultation.general_thread_id:
        thread_ids.append(consultation.general_thread_id)
    comments = list(
        Comment.objects.filter(thread_id__in=thread_ids)
        .exclude(status=Comment.Status.DELETED)
        .select_related("author__resident__zone", "author__resident__parish")
        .order_by("created_at", "pk")
    )
    visible = [c for c in comments if c.status == Comment.Status.VISIBLE]
    citizen = [c for c in visible if not c.is_official]
    participants = {c.author_id: c.author for c in citizen}
    by_zone = Counter()
    by_parish = Counter()
    for author in participants.values():
        resident = getattr(author, "resident", None)
        by_zone[resident.zone.name if resident and resident.zone else "—"] += 1
        by_parish[resident.parish.name if resident and resident.parish else "—"] += 1
    by_stance = Counter(c.stance for c in citizen if c.stance)
    supports = dict(
        Support.objects.filter(comment__thread_id__in=thread_ids)
        .values("comment__thread_id")
        .annotate(n=Count("pk"))
        .values_list("comment__thread_id", "n")
    )
    sessions = list(
        InPersonSession.objects.filter(consultation=consultation)
        .select_related("parish")
        .annotate(observation_count=Count("observations"))
    )
    observations = list(
        SessionObservation.objects.filter(session__consultation=consultation)
        .select_related("session__parish")
        .order_by("session__held_on", "pk")
    )
    observations_by_key = defaultdict(list)
    for observation in observations:
        observations_by_key[observation.provision_key].append(observation)
    label_by_thread = {p.thread_id: p.label for p in provisions if p.thread_id}
    per_article = []
    for provision in provisions:
        if not provision.is_commentable:
            continue
        per_article.append(
            {
                "provision": provision,
                "favor": provision.counts["favor"],
                "contra": provision.counts["contra"],
                "neutral": provision.counts["neutral"],
                "total": provision.counts["total"],
                "supports": supports.get(provision.thread_id, 0),
                "observations": len(observations_by_key.get(provision.key, [])),
            }
        )
    for comment in comments:
        comment.place_label = label_by_thread.get(comment.thread_id, "General")
    top = sorted(
        (c for c in citizen if c.parent_id is None),
        key=lambda c: (-c.support_count, c.created_at),
    )[:10]
    official = [c for c in visible if c.is_official]
    attendance = sum(s.attendees for s in sessions)
    return {
        "version": version,
        "per_article": per_article,
        "comments": comments,
        "citizen_comments": citizen,
        "participants": len(participants),
        "by_zone": sorted(by_zone.items(), key=lambda kv: (-kv[1], kv[0])),
        "by_parish": sorted(by_parish.items(), key=lambda kv: (-kv[1], kv[0])),
        "by_stance": {stance: by_stance.get(stance, 0) for stance in STANCES},
        "top_comments": top,
        "official_answers": official,
        "sessions": sessions,
        "attendance": attendance,
        "observations": observations,
        "observations_by_key": dict(observations_by_key),
        "hidden_count": sum(1 for c in comments if c.status == Comment.Status.HIDDEN),
        "versions": list(consultation.versions.order_by("number")),
    }
