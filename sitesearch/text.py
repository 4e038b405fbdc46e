"""Text helpers of the search: folding (case and accents) and excerpts with the hits marked.

An excerpt is built in Python from the stored text, never from HTML the database returns:
the text is cut into words and gaps, every piece is HTML-escaped, and only the `<mark>`
elements this module writes are markup. Whatever a comment or a title contains, it reaches
the page as text.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

EXCERPT_CHARS = 240
_PIECES = re.compile(r"\w+|\W+")
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_WORD_EDGE = re.compile(r"\b|$")
# Texts longer than this are narrowed to a window around the first hit before an excerpt
# is cut from them (pages: thousands of words, of which the excerpt shows forty).
_WINDOW_FROM = 2_000
_SPACE = re.compile(r"\s+")
# Control characters (NUL and friends) never reach a page, not even escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fold(value) -> str:
    """Lower case without accents: "Participación" -> "participacion". `None` stays ""."""
    if value is None:
        return ""
    value = str(value)
    if value.isascii():  # most words: nothing to decompose (an excerpt folds every word)
        return value.casefold()
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def plain(text: str) -> str:
    """Stored text as one line (Wagtail's index already holds rich text as plain text;
    anything that looks like a tag elsewhere is text and is shown escaped)."""
    text = _CONTROL.sub("", text or "")
    return _SPACE.sub(" ", text).strip()


# Letters a folded word may have come from (Spanish and its neighbours), for the finders.
_VARIANTS = {
    "a": "aáàâäã",
    "e": "eéèêë",
    "i": "iíìîï",
    "o": "oóòôöõ",
    "u": "uúùûü",
    "n": "nñ",
    "c": "cç",
    "y": "yý",
}


def _accent_insensitive(folded: str) -> str:
    return "".join(
        f"[{_VARIANTS[char]}]" if char in _VARIANTS else re.escape(char) for char in folded
    )


def _matcher(rule: Callable[[str], bool], finder) -> Callable[[str], bool]:
    """A rule for which words to mark (`matcher(word)`), carrying `finder`: a regular
    expression that finds where such words may be in a long text (case- and
    accent-insensitive for the common accents), so an excerpt does not fold every word
    before its first hit. The rule itself is the callable (an excerpt asks it of every
    word it shows: no wrapper call in between)."""
    rule.finder = finder
    return rule


def prefix_matcher(stems: Iterable[str]) -> Callable[[str], bool]:
    """Matches a word whose folded form starts with one of the stems (PostgreSQL's Spanish
    stems, unaccented, are prefixes of the words they come from)."""
    stems = tuple(fold(stem) for stem in stems if stem)
    finder = None
    if stems:
        alternatives = "|".join(_accent_insensitive(stem) for stem in stems)
        finder = re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)

    def rule(word: str) -> bool:
        if not stems:
            return False
        return (word.casefold() if word.isascii() else fold(word)).startswith(stems)

    return _matcher(rule, finder)


def substring_matcher(terms: Iterable[str]) -> Callable[[str], bool]:
    """Matches a word containing one of the terms (the SQLite fallback's own rule). Words of
    one or two letters are only marked when nothing longer was typed."""
    folded = [fold(term) for term in terms if term]
    longer = [term for term in folded if len(term) > 2]
    terms = tuple(longer or folded)
    finder = None
    if terms:
        finder = re.compile("|".join(_accent_insensitive(term) for term in terms), re.IGNORECASE)
    return _matcher(lambda word: bool(terms) and any(term in fold(word) for term in terms), finder)


def _render(pieces: list[str], matches: Callable[[str], bool]) -> str:
    """The pieces escaped, the matching words in `<mark>`: the text between two marks is
    escaped in one run (an excerpt has about sixty pieces and a few marks)."""
    out, run = [], []
    for piece in pieces:
        if (piece[:1].isalnum() or piece[:1] == "_") and matches(piece):
            if run:
                out.append(escape("".join(run)))
                run = []
            out.append(f"<mark>{escape(piece)}</mark>")
        else:
            run.append(piece)
    if run:
        out.append(escape("".join(run)))
    return "".join(out)


def as_html(text: str) -> SafeString:
    """The text, escaped (titles: the link text stays whole for screen readers and tests;
    the excerpt below it shows the marks)."""
    return mark_safe(escape(plain(text)))  # noqa: S308 (escaped)


def highlight(text: str, matches: Callable[[str], bool]) -> SafeString:
    """The whole (short) text, escaped, with the matching words marked."""
    return mark_safe(_render(_PIECES.findall(plain(text)), matches))  # noqa: S308 (escaped above)


def _first_hit(raw: str, matches) -> int | None:
    """Where the first marked word of `raw` starts, found with the matcher's finder (None:
    no hit)."""
    for found in matches.finder.finditer(raw):
        start = found.start()
        while start > 0 and _WORD_CHAR.match(raw[start - 1]):
            start -= 1
        word = _WORD.match(raw, start)
        if word and word.group()[:1].isalnum() and matches(word.group()):
            return start
    return None


def _window(raw: str, matches, length: int) -> tuple[str, bool, bool]:
    """The part of a long text an excerpt can come from: whole words from well before its
    first hit to well after it; and whether text was cut before and after."""
    if len(raw) <= _WINDOW_FROM or getattr(matches, "finder", None) is None:
        return raw, False, False
    first = _first_hit(raw, matches) or 0
    begin, end = max(first - 2 * length, 0), min(first + 4 * length, len(raw))
    if begin > 0:
        edge = _WORD_EDGE.search(raw, begin).start()
        begin = edge if edge <= first else begin  # inside one huge word: cut it
    if end < len(raw):
        edge = end
        while edge > begin and _WORD_CHAR.match(raw[edge - 1]) and _WORD_CHAR.match(raw[edge]):
            edge -= 1
        end = edge if edge > first else end  # the hit is inside one huge word: cut it
    return raw[begin:end], begin > 0, end < len(raw)


def excerpt(text: str, matches: Callable[[str], bool], length: int = EXCERPT_CHARS) -> SafeString:
    """About `length` characters of the text around its first hit, escaped, hits marked,
    with an ellipsis where the text was cut. Without a hit: the beginning of the text.
    A long text (a page) is first narrowed to a window around its first hit."""
    window, cut_before, cut_after = _window(text or "", matches, length)
    pieces = _PIECES.findall(plain(window))
    first = next((i for i, piece in enumerate(pieces) if piece[:1].isalnum() and matches(piece)), 0)
    # Start a little before the first hit, on a word boundary.
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
    body = _render(pieces[start:end], matches).strip()
    prefix = "… " if start > 0 or cut_before else ""
    suffix = " …" if end < len(pieces) or cut_after else ""
    return mark_safe(prefix + body + suffix)  # noqa: S308 (escaped in _render)
