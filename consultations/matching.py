"""Article identity across versions: which provision of a new version is which provision
of the previous one.

An article's identity is its discussion thread: a provision of the new version matched to
one of the previous version inherits its thread (and so its comments, observations and
dispositions); an unmatched one gets a new thread. Matching is by content, not by number,
so inserting an article does not shift the comments of every later one.

How (pure, deterministic, no database; headings are neither matched nor threaded):

1. Exact text, in order: heading and body, whitespace collapsed and case folded, aligned
   as two sequences (difflib's matching blocks), so two identical articles pair in order.
2. Exact text, out of order: what is left pairs with the same text elsewhere (the nearest
   position first): an article moved.
3. Similar text: the Dice coefficient of the two token sets (words, Spanish function words
   left out), at least `THRESHOLD`; greedy best-first, preferring the same kind (an article
   becoming a disposition needs `CROSS_KIND_THRESHOLD`), the same stretch between exact
   matches, then the nearer position. Empty texts only match exactly.

Each line of the result says what happened: unchanged, edited (text changed), renumbered
(same text, new label), moved (its relative order changed: outside the longest run of
matched provisions kept in order), inserted, deleted. A matched line may be several at
once (`moved`, `edited`, `renumbered` flags); `change` is the main one.

Staff see the proposed matching in the publish preview and may correct it; corrections are
stored on the page with the hash of the draft they were made for (`ConsultationPage.
article_matching`) and ignored once the draft changes.
"""

import difflib
import hashlib
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Protocol

THRESHOLD = 0.5
CROSS_KIND_THRESHOLD = 0.7
SAME_STRETCH_BONUS = 0.05

# Change kinds of a line, by priority (a moved and edited article is "moved").
INSERTED = "inserted"
DELETED = "deleted"
MOVED = "moved"
EDITED = "edited"
RENUMBERED = "renumbered"
UNCHANGED = "unchanged"
CHANGES = (UNCHANGED, EDITED, RENUMBERED, MOVED, INSERTED, DELETED)

# Words that say nothing about which article is which: without them two unrelated Spanish
# articles share little, with them they share a third of their words.
_STOPWORD_TEXT = """
    a al ante bajo cada como con contra cual cuando de del desde donde durante e el ella
    ellas ellos en entre es esta estas este esto estos fue ha han hacia hasta la las le les
    lo los mas más mediante ni no o otra otras otro otros para pero por que quien se sea
    segun según ser si sí sin sobre son su sus tal tambien también tiene tienen toda todas
    todo todos tras u un una unas uno unos y ya será serán dicha dicho dichas dichos"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"\w+")


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
    change: str = ""  # one of CHANGES ("" when built by hand)
    moved: bool = False
    edited: bool = False
    renumbered: bool = False
    new_label: str = ""
    old_label: str = ""
    # The provisions themselves and their places among the commentable ones, so that
    # corrections can be re-classified; not part of the line's identity.
    new: object = field(default=None, compare=False, repr=False)
    old: object = field(default=None, compare=False, repr=False)
    new_position: int | None = field(default=None, compare=False, repr=False)
    old_position: int | None = field(default=None, compare=False, repr=False)

    @property
    def similarity_percent(self) -> int:
        return round(self.similarity * 100)


def draft_sha(text: str) -> str:
    """The hash a correction is stored with. Of the text as the editor keeps it: line ends
    as "\n" and no trailing whitespace (Wagtail's text field strips it on save, an
    uploaded file ends with a newline), so the same draft always has the same hash."""
    normalised = (text or "").replace("\r\n", "\n").replace("\r", "\n").rstrip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def correction_problems(old, new, corrections: dict) -> list[str]:
    """Why `corrections` ({new_key: old_key or ""}) cannot apply to the matching of the
    `old` provisions to the `new` ones: a key that is not the texts' own, or an old article
    chosen to continue in two new ones (stealing another article's comments). Empty when
    they can apply."""
    from django.utils.translation import gettext as _

    old_labels = {p.key: p.label for p in old if p.kind != "heading"}
    new_labels = {p.key: p.label for p in new if p.kind != "heading"}
    chosen = {
        pairing.new_key: pairing.old_key or ""
        for pairing in propose(list(old), list(new))
        if pairing.new_key
    }
    problems = []
    for new_key, old_key in (corrections or {}).items():
        if not isinstance(new_key, str) or new_key not in new_labels:
            problems.append(_("The draft has no article %(key)s.") % {"key": str(new_key)[:60]})
            continue
        if not isinstance(old_key, str) or (old_key and old_key not in old_labels):
            problems.append(
                _("The consulted draft has no article %(key)s.") % {"key": str(old_key)[:60]}
            )
            continue
        chosen[new_key] = old_key
    seen: dict[str, str] = {}
    for new_key, old_key in chosen.items():
        if not old_key:
            continue
        if old_key in seen:
            problems.append(
                _("%(old)s cannot continue in both %(first)s and %(second)s.")
                % {
                    "old": old_labels[old_key],
                    "first": new_labels[seen[old_key]],
                    "second": new_labels[new_key],
                }
            )
        else:
            seen[old_key] = new_key
    return list(dict.fromkeys(problems))


# --- texts --------------------------------------------------------------------------------


def _flat(item) -> str:
    """Heading and body with whitespace collapsed: what a reader would call the text."""
    return " ".join(f"{item.heading or ''} {item.body or ''}".split())


def _normal(item) -> str:
    """The text for exact matching: whitespace collapsed, case folded, accents kept."""
    return unicodedata.normalize("NFC", _flat(item)).casefold()


def _tokens(text: str) -> frozenset[str]:
    words = _WORD.findall(text)
    meaningful = frozenset(w for w in words if w not in STOPWORDS)
    return meaningful or frozenset(words)


def similarity(a, b) -> float:
    """Dice coefficient of the two provisions' token sets (1.0 for equal texts)."""
    na, nb = _normal(a), _normal(b)
    if na == nb:
        return 1.0
    ta, tb = _tokens(na), _tokens(nb)
    if not ta or not tb:
        return 0.0
    return 2 * len(ta & tb) / (len(ta) + len(tb))


def _commentable(items) -> list:
    return [p for p in items if p.kind != "heading"]


# --- the matching -------------------------------------------------------------------------


def _match(old: list, new: list) -> tuple[dict[int, int], dict[int, float]]:
    """{new index: old index} and the similarity of each pair not exactly equal."""
    old_text = [_normal(p) for p in old]
    new_text = [_normal(p) for p in new]
    pairs: dict[int, int] = {}
    # 1. Exact, in order.
    blocks = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False)
    anchors = []
    for block in blocks.get_matching_blocks():
        for offset in range(block.size):
            pairs[block.b + offset] = block.a + offset
            anchors.append((block.b + offset, block.a + offset))
    # 2. Exact, out of order (moved): the nearest position first.
    free_old: dict[str, list[int]] = {}
    used_old = set(pairs.values())
    for j, text in enumerate(old_text):
        if j not in used_old:
            free_old.setdefault(text, []).append(j)
    for i, text in enumerate(new_text):
        if i in pairs or not free_old.get(text):
            continue
        candidates = free_old[text]
        scale = len(old) / max(len(new), 1)
        best = min(
            candidates,
            key=lambda j: (abs(j - i * scale), old[j].key != new[i].key, j),
        )
        candidates.remove(best)
        pairs[i] = best
    # Identical texts pair in order among themselves (the first with the first...).
    groups: dict[str, list[int]] = {}
    for i in pairs:
        groups.setdefault(new_text[i], []).append(i)
    for group in groups.values():
        if len(group) > 1:
            for i, j in zip(sorted(group), sorted(pairs[i] for i in group), strict=True):
                pairs[i] = j
    # 3. Similar texts.
    scores = _similar(old, new, old_text, new_text, pairs, anchors)
    return pairs, scores


def _similar(old, new, old_text, new_text, pairs, anchors) -> dict[int, float]:
    rest_new = [i for i in range(len(new)) if i not in pairs and new_text[i]]
    taken = set(pairs.values())
    rest_old = [j for j in range(len(old)) if j not in taken and old_text[j]]
    if not rest_new or not rest_old:
        return {}
    # Token sets as bit masks over the vocabulary: intersections are one `&` and a popcount,
    # so comparing every remaining pair stays fast with hundreds of edited articles.
    vocabulary: dict[str, int] = {}

    def mask(text: str) -> tuple[int, int]:
        bits = 0
        tokens = _tokens(text)
        for token in tokens:
            bits |= 1 << vocabulary.setdefault(token, len(vocabulary))
        return bits, len(tokens)

    # The stretch between exact in-order matches each provision lies in.
    anchor_new = sorted(i for i, _j in anchors)
    anchor_old = sorted(j for _i, j in anchors)
    n_old, n_new = max(len(old), 1), max(len(new), 1)

    old_rows = [
        (j, *mask(old_text[j]), old[j].kind, old[j].key, bisect_left(anchor_old, j), j / n_old)
        for j in rest_old
    ]
    candidates = []
    for i in rest_new:
        bits_i, size_i = mask(new_text[i])
        kind_i, key_i = new[i].kind, new[i].key
        stretch_i = bisect_left(anchor_new, i)
        place_i = i / n_new
        for j, bits_j, size_j, kind_j, key_j, stretch_j, place_j in old_rows:
            total = size_i + size_j
            if 2 * min(size_i, size_j) < THRESHOLD * total:
                continue  # cannot reach the threshold whatever they share
            score = 2 * (bits_i & bits_j).bit_count() / total
            if score < THRESHOLD:
                continue
            rank = score
            if kind_i != kind_j:
                if score < CROSS_KIND_THRESHOLD:
                    continue
                rank -= 0.1
            if stretch_j == stretch_i:
                rank += SAME_STRETCH_BONUS
            candidates.append((-rank, abs(place_i - place_j), key_i != key_j, i, j, score))
    candidates.sort()
    scores: dict[int, float] = {}
    for *_ignored, i, j, score in candidates:
        if i in pairs or j in taken:
            continue
        pairs[i] = j
        taken.add(j)
        scores[i] = score
    return scores


def kept_in_order(old_positions: list[int]) -> set[int]:
    """Indices (into `old_positions`) of one longest increasing run: the provisions that
    kept their relative order; the others moved."""
    tails: list[int] = []  # old position ending the best run of each length
    tail_index: list[int] = []
    previous = [-1] * len(old_positions)
    for index, value in enumerate(old_positions):
        at = bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[at] = value
            tail_index[at] = index
        previous[index] = tail_index[at - 1] if at else -1
    kept = set()
    index = tail_index[-1] if tail_index else -1
    while index != -1:
        kept.add(index)
        index = previous[index]
    return kept


def _build(
    old: list,
    new: list,
    pairs: dict[int, int],
    scores: dict[int, float],
    corrected: set[int] = frozenset(),
) -> list[Pairing]:
    """The lines of a matching: new provisions in order, each deleted one after the line of
    the nearest earlier old provision that continues."""
    matched = sorted(pairs)
    kept = kept_in_order([pairs[i] for i in matched])
    moved = {matched[index] for index in range(len(matched)) if index not in kept}
    lines: list[Pairing] = []
    line_of_old: dict[int, int] = {}
    for i, item in enumerate(new):
        j = pairs.get(i)
        if j is None:
            lines.append(
                Pairing(
                    new_key=item.key,
                    old_key=None,
                    similarity=0.0,
                    corrected=i in corrected,
                    change=INSERTED,
                    new_label=item.label,
                    new=item,
                    new_position=i,
                )
            )
            continue
        before = old[j]
        edited = _flat(item) != _flat(before)
        renumbered = item.label != before.label
        if i in moved:
            change = MOVED
        elif edited:
            change = EDITED
        elif renumbered:
            change = RENUMBERED
        else:
            change = UNCHANGED
        line_of_old[j] = len(lines)
        lines.append(
            Pairing(
                new_key=item.key,
                old_key=before.key,
                similarity=scores[i] if i in scores else similarity(item, before),
                corrected=i in corrected,
                change=change,
                moved=i in moved,
                edited=edited,
                renumbered=renumbered,
                new_label=item.label,
                old_label=before.label,
                new=item,
                old=before,
                new_position=i,
                old_position=j,
            )
        )
    continued = set(pairs.values())
    deleted_after: dict[int, list[Pairing]] = {}
    last_line = -1
    for j, before in enumerate(old):
        if j in continued:
            last_line = line_of_old[j]
            continue
        deleted_after.setdefault(last_line, []).append(
            Pairing(
                new_key=None,
                old_key=before.key,
                similarity=0.0,
                change=DELETED,
                old_label=before.label,
                old=before,
                old_position=j,
            )
        )
    result = list(deleted_after.get(-1, []))
    for index, line in enumerate(lines):
        result.append(line)
        result.extend(deleted_after.get(index, []))
    return result


def propose(old: list[ProvisionLike], new: list[ProvisionLike]) -> list[Pairing]:
    """The proposed matching of two versions' commentable provisions."""
    old_items, new_items = _commentable(old), _commentable(new)
    pairs, scores = _match(old_items, new_items)
    return _build(old_items, new_items, pairs, scores)


def corrections_for(consultation) -> dict[str, str]:
    """The staff's corrections ({new_key: old_key or ""}) if made for the current draft
    (and, when recorded, against the version that is still the latest)."""
    latest = None
    if consultation.pk:
        latest = consultation.versions.order_by("-number").values_list("number", flat=True).first()
    return stored_corrections(
        consultation.article_matching, draft_sha(consultation.draft_text), latest
    )


def stored_corrections(stored, sha: str, latest_number: int | None) -> dict[str, str]:
    """The corrections in a page's `article_matching` if they were made for the draft whose
    hash is `sha` (and against version `latest_number`, when they say which)."""
    if not isinstance(stored, dict) or stored.get("draft_sha") != sha:
        return {}
    if stored.get("version") is not None and stored.get("version") != latest_number:
        return {}
    pairs = stored.get("pairs") or {}
    return {str(k): str(v) for k, v in pairs.items()} if isinstance(pairs, dict) else {}


def chosen_of(pairings: list[Pairing]) -> dict[str, str]:
    """{new_key: old_key or ""} of every new provision of a matching."""
    return {p.new_key: p.old_key or "" for p in pairings if p.new_key is not None}


def apply_corrections(pairings: list[Pairing], corrections: dict[str, str]) -> list[Pairing]:
    """The matching after staff corrections: each corrected new key takes the old key given
    ("" for none); an old key continues in one new provision only (a correction wins over
    the proposal; between two corrections, the earlier new provision). Keys that are not
    the texts' own are ignored."""
    if not corrections:
        return pairings
    if any(p.new_key is not None and p.new is None for p in pairings) or any(
        p.old_key is not None and p.old is None for p in pairings
    ):
        return _apply_by_key(pairings, corrections)
    new_lines = sorted((p for p in pairings if p.new_key is not None), key=lambda p: p.new_position)
    old_lines = sorted((p for p in pairings if p.old_key is not None), key=lambda p: p.old_position)
    new = [p.new for p in new_lines]
    old = [p.old for p in old_lines]
    old_index = {p.key: j for j, p in enumerate(old)}
    new_index = {p.key: i for i, p in enumerate(new)}
    proposed = {
        p.new_position: p.old_position for p in pairings if p.new is not None and p.old is not None
    }
    forced: dict[int, int | None] = {}
    for new_key, old_key in corrections.items():
        if new_key not in new_index or (old_key and old_key not in old_index):
            continue
        forced[new_index[new_key]] = old_index[old_key] if old_key else None
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for i in sorted(forced):
        j = forced[i]
        if j is not None and j not in taken:
            pairs[i] = j
            taken.add(j)
    for i, j in proposed.items():
        if i not in forced and j not in taken:
            pairs[i] = j
            taken.add(j)
    scores = {i: similarity(new[i], old[j]) for i, j in pairs.items()}
    return _build(old, new, pairs, scores, corrected=set(forced))


def _apply_by_key(pairings: list[Pairing], corrections: dict[str, str]) -> list[Pairing]:
    """Corrections of pairings built by hand (without their provisions): keys only."""
    new_keys = [p.new_key for p in pairings if p.new_key is not None]
    old_keys = [p.old_key for p in pairings if p.old_key is not None]
    chosen: dict[str, str | None] = {p.new_key: p.old_key for p in pairings if p.new_key}
    forced = {
        new_key: old_key or None
        for new_key, old_key in corrections.items()
        if new_key in chosen and (old_key == "" or old_key in old_keys)
    }
    used: set[str] = set()
    final: dict[str, str | None] = {}
    for key in new_keys:
        if key in forced and forced[key] and forced[key] not in used:
            final[key] = forced[key]
            used.add(forced[key])
    for key in new_keys:
        if key not in forced and chosen[key] and chosen[key] not in used:
            final[key] = chosen[key]
            used.add(chosen[key])
    result = [
        Pairing(new_key=key, old_key=final.get(key), corrected=key in forced) for key in new_keys
    ]
    result += [Pairing(new_key=None, old_key=k) for k in old_keys if k not in used]
    return result


def summary(pairings: list[Pairing]) -> dict[str, int]:
    """How many lines of each change kind."""
    counts = dict.fromkeys(CHANGES, 0)
    for pairing in pairings:
        if pairing.change in counts:
            counts[pairing.change] += 1
    return counts
