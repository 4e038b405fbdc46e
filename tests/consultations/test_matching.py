"""The article matcher (consultations.matching): pure, no database. Articles are matched by
content, not number: exact texts first (in order, then moved), then similar texts; each
line says what happened; staff corrections win over the proposal."""

import random
import time
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from consultations import matching
from consultations.matching import Pairing


@dataclass
class P:
    kind: str
    key: str
    label: str
    heading: str = ""
    body: str = ""


def articles(*bodies, start=1, kind="article"):
    return [P(kind, f"art-{n}", f"Artículo {n}", "", body) for n, body in enumerate(bodies, start)]


TEXTS = [
    "La presente ordenanza regula la movilidad sostenible en el Distrito Metropolitano.",
    "Se aplica a las veintiún parroquias rurales y a las treinta y dos urbanas.",
    "Las asambleas barriales eligen cuatro representantes por cada barrio.",
    "El reglamento se expedirá en noventa días contados desde la publicación.",
    "Los recursos provendrán del presupuesto participativo anual de cada zona.",
]


def lines(old, new):
    return {(p.new_key, p.old_key): p for p in matching.propose(old, new)}


def test_inserting_an_article_renumbers_the_rest_without_moving_their_identity():
    old = articles(*TEXTS)
    new = articles("Un artículo nuevo sobre ciclovías y peatones.", *TEXTS)
    result = matching.propose(old, new)
    assert [(p.new_key, p.old_key) for p in result] == [
        ("art-1", None),
        ("art-2", "art-1"),
        ("art-3", "art-2"),
        ("art-4", "art-3"),
        ("art-5", "art-4"),
        ("art-6", "art-5"),
    ]
    assert [p.change for p in result] == ["inserted"] + ["renumbered"] * 5
    assert result[1].old_label == "Artículo 1" and result[1].new_label == "Artículo 2"
    assert not any(p.moved or p.edited for p in result)


def test_deleting_an_article_is_deleted_and_the_later_ones_renumbered():
    old = articles(*TEXTS)
    new = articles(TEXTS[0], TEXTS[2], TEXTS[3], TEXTS[4])
    result = matching.propose(old, new)
    assert [(p.new_key, p.old_key, p.change) for p in result] == [
        ("art-1", "art-1", "unchanged"),
        (None, "art-2", "deleted"),  # where it stood, after its predecessor
        ("art-2", "art-3", "renumbered"),
        ("art-3", "art-4", "renumbered"),
        ("art-4", "art-5", "renumbered"),
    ]


def test_moving_an_article_is_moved_only_for_the_one_that_moved():
    old = articles(*TEXTS)
    new = articles(TEXTS[1], TEXTS[2], TEXTS[3], TEXTS[0], TEXTS[4])
    result = lines(old, new)
    assert result[("art-4", "art-1")].change == "moved"
    assert result[("art-4", "art-1")].moved
    # The others kept their relative order: renumbered, not moved.
    assert result[("art-1", "art-2")].change == "renumbered"
    assert result[("art-5", "art-5")].change == "unchanged"
    assert sum(p.moved for p in result.values()) == 1


def test_an_edited_article_keeps_its_identity_with_its_similarity():
    old = articles(*TEXTS)
    edited = TEXTS[2].replace("cuatro", "cinco")
    new = articles(TEXTS[0], TEXTS[1], edited, TEXTS[3], TEXTS[4])
    line = lines(old, new)[("art-3", "art-3")]
    assert line.change == "edited" and line.edited and not line.renumbered
    assert matching.THRESHOLD <= line.similarity < 1


def test_an_edited_and_renumbered_article_is_both():
    old = articles(*TEXTS)
    edited = TEXTS[2].replace("cuatro", "cinco")
    new = articles("Nuevo.", TEXTS[0], TEXTS[1], edited, TEXTS[3], TEXTS[4])
    line = lines(old, new)[("art-4", "art-3")]
    assert line.change == "edited" and line.renumbered and line.edited


def test_an_unrelated_rewrite_is_a_deletion_and_an_insertion_despite_common_words():
    # Both are Spanish sentences with the same function words (de, la, en, los...).
    old = articles("La comisión de la zona en los barrios de la ciudad aprobará el plan.")
    new = articles("Los fondos de la obra en las parroquias de la ciudad serán auditados.")
    result = matching.propose(old, new)
    assert {(p.new_key, p.old_key, p.change) for p in result} == {
        ("art-1", None, "inserted"),
        (None, "art-1", "deleted"),
    }


def test_case_and_spacing_do_not_break_an_exact_match_but_count_as_an_edit():
    old = articles("El  Municipio\nregula.")
    new = articles("el municipio regula.")
    (line,) = matching.propose(old, new)
    assert line.old_key == "art-1" and line.similarity == 1.0
    assert line.change == "edited"  # the case changed: a reader sees it
    assert matching.propose(articles("a  b\nc"), articles("a b c"))[0].change == "unchanged"


def test_two_identical_articles_pair_in_order():
    old = articles("Texto repetido.", "Texto repetido.", "Otro texto distinto.")
    new = articles("Texto repetido.", "Otro texto distinto.", "Texto repetido.")
    result = [(p.new_key, p.old_key) for p in matching.propose(old, new) if p.new_key]
    assert ("art-1", "art-1") in result
    assert ("art-2", "art-3") in result
    assert ("art-3", "art-2") in result


def test_deleting_one_of_two_identical_articles():
    old = articles("Texto repetido.", "Texto repetido.")
    new = articles("Texto repetido.")
    result = matching.propose(old, new)
    assert [(p.new_key, p.old_key) for p in result] == [("art-1", "art-1"), (None, "art-2")]


def test_empty_articles_match_only_exactly_and_never_by_similarity():
    old = articles("", "Texto del segundo artículo sobre plazos.")
    new = articles("", "", "Texto del segundo artículo sobre plazos.")
    result = {p.new_key: p.old_key for p in matching.propose(old, new) if p.new_key}
    assert result["art-3"] == "art-2"
    assert sorted([result["art-1"] or "", result["art-2"] or ""]) == ["", "art-1"]
    # An emptied article is not "similar" to anything.
    assert matching.chosen_of(matching.propose(articles("Algo."), articles(""))) == {"art-1": ""}


def test_headings_are_neither_matched_nor_listed():
    old = [P("heading", "h-titulo-1", "TÍTULO I", "Objeto"), *articles(TEXTS[0])]
    new = [P("heading", "h-titulo-1", "TÍTULO I", "Objeto"), *articles(TEXTS[0])]
    result = matching.propose(old, new)
    assert [(p.new_key, p.old_key) for p in result] == [("art-1", "art-1")]


def test_the_same_kind_is_preferred():
    text = "Los recursos provendrán del presupuesto participativo anual de cada zona."
    near = "Los recursos provendrán del presupuesto municipal anual de la ciudad."
    old = [P("disposition", "disp-general-1", "Disposición general primera", "", text)]
    # Similar enough for an article of the same kind, not to cross kinds.
    score = matching.similarity(old[0], P("article", "", "", "", near))
    assert matching.THRESHOLD <= score < matching.CROSS_KIND_THRESHOLD
    new = [
        *articles(near),
        P("disposition", "disp-general-1", "Disposición general primera", "", near),
    ]
    result = lines(old, new)
    assert ("disp-general-1", "disp-general-1") in result
    assert ("art-1", None) in result
    assert matching.chosen_of(matching.propose(old, articles(near))) == {"art-1": ""}


def test_matching_is_deterministic():
    old = articles(*TEXTS, "Texto repetido.", "Texto repetido.", "")
    new = articles("", "Texto repetido.", *reversed(TEXTS), "Texto repetido.")
    assert matching.propose(old, new) == matching.propose(old, new)


def test_five_hundred_articles_in_well_under_a_second():
    rnd = random.Random(7)
    vocabulary = [f"palabra{n}" for n in range(4000)] + ["de", "la", "el", "en", "los"] * 40

    def text():
        return " ".join(rnd.choice(vocabulary) for _ in range(rnd.randint(20, 60)))

    texts = [text() for _ in range(500)]
    old = articles(*texts)
    # Worst case: every article edited (no exact match left), and some inserted.
    edited = [t + " añadido" for t in texts]
    new = articles(text(), *edited[:250], text(), *edited[250:])
    started = time.perf_counter()
    result = matching.propose(old, new)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed
    assert sum(1 for p in result if p.change == "inserted") == 2
    assert sum(1 for p in result if p.new_key and p.old_key) == 500
    started = time.perf_counter()
    matching.propose(old, articles(text(), *texts))
    assert time.perf_counter() - started < 1.0


# --- corrections ------------------------------------------------------------------------


def test_a_correction_wins_over_the_proposal_and_is_reclassified():
    old = articles(*TEXTS)
    new = articles(TEXTS[1], TEXTS[0], *TEXTS[2:])
    proposed = matching.propose(old, new)
    corrected = matching.apply_corrections(proposed, {"art-1": "art-3"})
    chosen = matching.chosen_of(corrected)
    assert chosen["art-1"] == "art-3"
    # art-3 (old 3) was proposed for new art-3: the correction took it away.
    assert chosen["art-3"] == ""
    line = next(p for p in corrected if p.new_key == "art-1")
    assert line.corrected and line.similarity < 1 and line.edited
    # old art-2, proposed for new art-1, continues in none now.
    assert any(p.new_key is None and p.old_key == "art-2" for p in corrected)
    assert next(p for p in corrected if p.new_key == "art-3").change == "inserted"


def test_a_correction_to_a_new_article_and_unknown_keys_are_ignored_or_applied():
    old = articles(*TEXTS)
    new = articles(*TEXTS)
    corrected = matching.apply_corrections(
        matching.propose(old, new), {"art-2": "", "art-99": "art-1", "art-4": "art-77"}
    )
    chosen = matching.chosen_of(corrected)
    assert chosen == {
        "art-1": "art-1",
        "art-2": "",
        "art-3": "art-3",
        "art-4": "art-4",
        **{"art-5": "art-5"},
    }
    assert any(p.new_key is None and p.old_key == "art-2" for p in corrected)


def test_two_corrections_to_one_old_article_the_earlier_wins():
    old = articles(*TEXTS)
    new = articles(*TEXTS)
    corrected = matching.apply_corrections(
        matching.propose(old, new), {"art-4": "art-1", "art-2": "art-1"}
    )
    chosen = matching.chosen_of(corrected)
    assert chosen["art-2"] == "art-1" and chosen["art-4"] == "" and chosen["art-1"] == ""


def test_corrections_of_pairings_built_by_hand():
    pairings = [Pairing(new_key="art-1", old_key="art-1"), Pairing(new_key="art-2", old_key=None)]
    corrected = matching.apply_corrections(pairings, {"art-2": "art-1"})
    assert matching.chosen_of(corrected) == {"art-1": "", "art-2": "art-1"}


def test_stored_corrections_need_the_same_draft_and_version():
    sha = matching.draft_sha("texto")
    stored = {"draft_sha": sha, "version": 2, "pairs": {"art-1": "art-2"}}
    assert matching.stored_corrections(stored, sha, 2) == {"art-1": "art-2"}
    assert matching.stored_corrections(stored, matching.draft_sha("otro"), 2) == {}
    assert matching.stored_corrections(stored, sha, 3) == {}
    assert matching.stored_corrections({"draft_sha": sha, "pairs": ["x"]}, sha, 1) == {}
    assert matching.stored_corrections("basura", sha, 1) == {}


# --- properties -------------------------------------------------------------------------


@st.composite
def edits(draw):
    """Distinct articles (no word shared between two), then a new version made of some of
    them (deleted ones left out), in any order, with new ones inserted anywhere."""
    count = draw(st.integers(1, 25))
    seeds = draw(
        st.lists(st.integers(0, 10**6), min_size=count + 10, max_size=count + 10, unique=True)
    )
    texts = [f"tema{seed}a tema{seed}b tema{seed}c." for seed in seeds]
    old_texts, fresh = texts[:count], texts[count:]
    kept = [t for t in old_texts if draw(st.booleans()) or len(old_texts) < 3]
    new_texts = draw(st.permutations(kept))
    new_texts = list(new_texts)
    for text in fresh[: draw(st.integers(0, len(fresh)))]:
        new_texts.insert(draw(st.integers(0, len(new_texts))), text)
    return old_texts, new_texts


@settings(max_examples=200, deadline=None)
@given(edits())
def test_every_surviving_text_keeps_its_identity(case):
    old_texts, new_texts = case
    old, new = articles(*old_texts), articles(*new_texts)
    result = matching.propose(old, new)
    old_text = {p.key: p.body for p in old}
    new_text = {p.key: p.body for p in new}
    for line in result:
        if line.new_key and line.old_key:
            assert new_text[line.new_key] == old_text[line.old_key]
        elif line.new_key:
            assert new_text[line.new_key] not in old_texts
        else:
            assert old_text[line.old_key] not in new_texts
    # Every old and new provision is on exactly one line.
    assert sorted(p.old_key for p in result if p.old_key) == sorted(old_text)
    assert [p.new_key for p in result if p.new_key] == [p.key for p in new]
    # "moved" is the fewest: the matched ones outside one longest run kept in order.
    order = [int(p.old_key[4:]) for p in result if p.new_key and p.old_key]
    longest = _longest_increasing(order)
    assert sum(p.moved for p in result) == len(order) - longest


def _longest_increasing(values):
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)
