"""Article identity across versions: which provision of a new version is which provision
of the previous one.

An article's identity is its discussion thread: a provision of the new version matched to
one of the previous version inherits its thread (and so its comments, observations and
dispositions); an unmatched one gets a new thread. Matching is by content, not by number,
so inserting an article does not shift the comments of every later one.

Staff see the proposed matching in the publish preview and may correct it; corrections are
stored on the page with the hash of the draft they were made for (`ConsultationPage.
article_matching`) and ignored once the draft changes.

FOUNDATION STUB: matches by key only. Replaced by the content-based matcher.
"""

import hashlib
from dataclasses import dataclass
from typing import Protocol


class ProvisionLike(Protocol):
    kind: str
    key: str
    label: str
    heading: str
    body: str


@dataclass(frozen=True)
class Pairing:
    """One line of the matching: a new provision and the old one it continues (or None)."""

    new_key: str | None  # None: the old provision was deleted
    old_key: str | None  # None: the new provision is inserted
    similarity: float = 1.0  # 0..1, of heading + body
    corrected: bool = False  # set by staff, not proposed


def draft_sha(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def propose(old: list[ProvisionLike], new: list[ProvisionLike]) -> list[Pairing]:
    """The proposed matching of two versions' commentable provisions."""
    old_keys = {p.key for p in old if p.kind != "heading"}
    new_keys = {p.key for p in new if p.kind != "heading"}
    pairings = [
        Pairing(new_key=p.key, old_key=p.key if p.key in old_keys else None)
        for p in new
        if p.kind != "heading"
    ]
    pairings += [
        Pairing(new_key=None, old_key=p.key)
        for p in old
        if p.kind != "heading" and p.key not in new_keys
    ]
    return pairings


def corrections_for(consultation) -> dict[str, str]:
    """The staff's corrections ({new_key: old_key or ""}) if made for the current draft."""
    stored = consultation.article_matching or {}
    if stored.get("draft_sha") != draft_sha(consultation.draft_text):
        return {}
    pairs = stored.get("pairs") or {}
    return {str(k): str(v) for k, v in pairs.items()} if isinstance(pairs, dict) else {}


def apply_corrections(pairings: list[Pairing], corrections: dict[str, str]) -> list[Pairing]:
    """The matching after staff corrections: each corrected new key takes the old key given
    ("" for none); an old key can continue in one new provision only."""
    if not corrections:
        return pairings
    new_keys = [p.new_key for p in pairings if p.new_key is not None]
    old_keys = {p.old_key for p in pairings if p.old_key is not None}
    chosen: dict[str, str | None] = {p.new_key: p.old_key for p in pairings if p.new_key}
    for new_key, old_key in corrections.items():
        if new_key in chosen and (old_key == "" or old_key in old_keys):
            chosen[new_key] = old_key or None
    used: set[str] = set()
    result = []
    for key in new_keys:
        old_key = chosen[key]
        if old_key in used:
            old_key = None
        if old_key:
            used.add(old_key)
        result.append(Pairing(new_key=key, old_key=old_key, corrected=key in corrections))
    result += [Pairing(new_key=None, old_key=k) for k in sorted(old_keys - used)]
    return result
