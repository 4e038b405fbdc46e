"""Reads for consultations: lists, the page of a version, diffs and the report. Query counts
do not grow with the number of comments (tests assert it)."""

import difflib
import re

from django.utils import timezone

from territory.models import Zone
from territory.selectors import prime_zones

from .models import ConsultationPage, DraftVersion, Status

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
