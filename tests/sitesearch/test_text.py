"""Excerpts and marks: escaped text, only our own <mark> elements are markup."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from sitesearch import text


def test_fold_removes_case_and_accents():
    assert text.fold("PARTICIPACIÓN Señalización Ñandú") == "participacion senalizacion nandu"
    assert text.fold(None) == ""
    assert text.fold("MERCADO") == "mercado"  # the plain-ASCII shortcut lowers case too


@given(st.text())
def test_fold_of_any_text_is_the_full_unicode_fold(value):
    # the shortcut for ASCII text must give what decomposing every character gives
    decomposed = unicodedata.normalize("NFKD", value)
    expected = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    assert text.fold(value) == expected


def test_highlight_escapes_everything_but_the_marks():
    html = text.highlight(
        '<script>alert("x")</script> Participación & más', text.substring_matcher(["participacion"])
    )
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<mark>Participación</mark> &amp; más" in html


def test_excerpt_is_a_window_around_the_first_hit():
    body = "inicio " + "relleno " * 100 + "la señalización nocturna " + "final " * 100
    html = text.excerpt(body, text.substring_matcher(["senalizacion"]), length=80)
    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>señalización</mark>" in html
    assert len(html) < 140


def test_excerpt_without_a_hit_is_the_beginning_and_drops_control_characters():
    html = text.excerpt("Hola\x00 mundo\x07", text.substring_matcher(["zzz"]))
    assert html == "Hola mundo"


def test_a_hit_inside_one_huge_word_still_has_an_excerpt():
    # A text of one word (hostile input, or a pasted string) has no word edge to cut at:
    # the window is cut inside the word rather than left empty.
    matches = text.prefix_matcher(["bici"])
    for huge in ("bici" * 250_000, "x" * 3_000 + " " + "bici" * 2_000):
        found = text.excerpt(huge, matches)
        assert "<mark>bici" in found and found.endswith(" …"), found[:60]
        assert len(found) < 2 * text.EXCERPT_CHARS * 4


def test_prefix_matcher_marks_words_of_the_same_stem():
    matches = text.prefix_matcher(["particip"])
    assert matches("Participativos") and matches("participación")
    assert not matches("parque")


def test_short_words_are_marked_only_when_nothing_longer_was_typed():
    assert not text.substring_matcher(["de", "parque"])("de")
    assert text.substring_matcher(["de"])("de")


def test_titles_are_escaped_whole():
    assert text.as_html('Parque "Norte" <b>&') == "Parque &quot;Norte&quot; &lt;b&gt;&amp;"


def _whole_text_excerpt(body, matches, length):
    """The excerpt as cut from the whole text's words (no window): what a long text's
    excerpt must equal."""
    pieces = text._PIECES.findall(text.plain(body))
    first = next((i for i, p in enumerate(pieces) if p[:1].isalnum() and matches(p)), 0)
    start, budget = first, length // 4
    while start > 0 and budget - len(pieces[start - 1]) >= 0:
        start -= 1
        budget -= len(pieces[start])
    if start > 0 and not pieces[start][:1].isalnum():
        start += 1
    end, used = start, 0
    while end < len(pieces) and (used + len(pieces[end]) <= length or end == start):
        used += len(pieces[end])
        end += 1
    body = text._render(pieces[start:end], matches).strip()
    return ("… " if start > 0 else "") + body + (" …" if end < len(pieces) else "")


WORDS = ["calle", "Parque", "señalización", "ÁRBOL", "niños", "vía", "alcantarillado", "de"]


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=300, max_size=1500),
    separators=st.lists(st.sampled_from([" ", ", ", ". ", " (", ") ", "; "]), min_size=1),
    hit=st.sampled_from(["senalizacion", "arbol", "nino", "alcantarill", "zzz"]),
    length=st.sampled_from([80, 240]),
)
def test_a_long_text_excerpt_equals_the_whole_text_one(words, separators, hit, length):
    # Pages are long: their excerpt is cut from a window around the first hit, found by
    # the matcher's accent-insensitive finder; it must be the excerpt of the whole text.
    body = "".join(word + separators[i % len(separators)] for i, word in enumerate(words))
    for matcher in (text.prefix_matcher([hit]), text.substring_matcher([hit])):
        assert text.excerpt(body, matcher, length) == _whole_text_excerpt(body, matcher, length)
