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
_SPACE = re.compile(r"\s+")
# Control characters (NUL and friends) never reach a page, not even escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fold(value) -> str:
    """Lower case without accents: "Participación" -> "participacion". `None` stays ""."""
    if value is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(value))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def plain(text: str) -> str:
    """Stored text as one line (Wagtail's index already holds rich text as plain text;
    anything that looks like a tag elsewhere is text and is shown escaped)."""
    text = _CONTROL.sub("", text or "")
    return _SPACE.sub(" ", text).strip()


def prefix_matcher(stems: Iterable[str]) -> Callable[[str], bool]:
    """Matches a word whose folded form starts with one of the stems (PostgreSQL's Spanish
    stems, unaccented, are prefixes of the words they come from)."""
    stems = tuple(fold(stem) for stem in stems if stem)
    return lambda word: bool(stems) and fold(word).startswith(stems)


def substring_matcher(terms: Iterable[str]) -> Callable[[str], bool]:
    """Matches a word containing one of the terms (the SQLite fallback's own rule). Words of
    one or two letters are only marked when nothing longer was typed."""
    folded = [fold(term) for term in terms if term]
    longer = [term for term in folded if len(term) > 2]
    terms = tuple(longer or folded)
    return lambda word: bool(terms) and any(term in fold(word) for term in terms)


def _render(pieces: list[str], matches: Callable[[str], bool]) -> str:
    out = []
    for piece in pieces:
        if piece[:1].isalnum() or piece[:1] == "_":
            out.append(f"<mark>{escape(piece)}</mark>" if matches(piece) else escape(piece))
        else:
            out.append(escape(piece))
    return "".join(out)


def as_html(text: str) -> SafeString:
    """The text, escaped (titles: the link text stays whole for screen readers and tests;
    the excerpt below it shows the marks)."""
    return mark_safe(escape(plain(text)))  # noqa: S308 (escaped)


def highlight(text: str, matches: Callable[[str], bool]) -> SafeString:
    """The whole (short) text, escaped, with the matching words marked."""
    return mark_safe(_render(_PIECES.findall(plain(text)), matches))  # noqa: S308 (escaped above)


def excerpt(text: str, matches: Callable[[str], bool], length: int = EXCERPT_CHARS) -> SafeString:
    """About `length` characters of the text around its first hit, escaped, hits marked,
    with an ellipsis where the text was cut. Without a hit: the beginning of the text."""
    pieces = _PIECES.findall(plain(text))
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
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(pieces) else ""
    return mark_safe(prefix + body + suffix)  # noqa: S308 (escaped in _render)
