"""Parse a draft ordinance, pasted as plain text or Markdown, into provisions.

Quito's ordinances are structured in Libros, Títulos, Capítulos, Secciones and Parágrafos
(headings), Artículos and Disposiciones (generales, transitorias, reformatorias, derogatorias,
finales) numbered with ordinals ("Primera.-", "Única.-"). Text before the first heading or
article (exposición de motivos, considerandos, "EXPIDE:") is kept as the preamble.

What is read:

- Article headers: "Artículo 1.-", "Art. 1.-", "Art 1", "ART. 1:", "Artículo 1°", "Artículo 1º.-",
  "Artículo 1." alone on its line, ordinal words ("ARTÍCULO PRIMERO.-", "Artículo Décimo
  Tercero", "Artículo vigesimoprimero", up to 99) and "Artículo único". Suffixes bis, ter,
  quáter, quinquies… ("Art. 5 bis.-", "Art. 5-bis", "Artículo 5bis"). "Artículo 5.1" is a
  sub-article of its own (key art-5-1), since reform ordinances insert articles that way.
  The article's title follows on the same line ("Objeto.- text") or on the next one
  ("Artículo 1.-\\nObjeto.-\\nLa presente…", "Artículo 1.\\nObjeto\\nLa presente…").
- Disposition groups in singular and plural, alone on a line ("DISPOSICIONES GENERALES.-") or
  with their first item ("DISPOSICIÓN TRANSITORIA ÚNICA.- text", "Disposición General
  Primera.- text"); items by ordinal ("PRIMERA.-", "Primera:", "Vigésima Primera.-", "Única")
  or by number ("1.-", only while the group has no ordinal items); a group with text and no
  item is its sole disposition ("DISPOSICIÓN FINAL\\nEsta ordenanza entrará en vigencia…").
- Headings with roman numerals, digits or ordinal words, named on the same or the next line.
- Markdown (#, >, **bold**, _italics_, escaped "1\\."), Word pastes (non-breaking spaces, tabs,
  soft hyphens, smart dashes, CRLF, vertical-tab line breaks), NFD accents.
- Lines inside curly quotes (“…”, «…») opened on an earlier line are body text: the articles a
  reform ordinance quotes are not articles of the reform itself.

Keys are stable across versions and layouts: "art-12", "art-3-bis", "art-5-1", "art-unico",
"disp-transitoria-2", "disp-final-unica", "h-titulo-1" (the n-th título), "h-disposiciones-
general". "ARTÍCULO PRIMERO" is art-1, like "Artículo 1".

Labels ("Artículo 3 bis", "Disposición transitoria primera") are part of the document, which
is in Spanish whatever the reader's language, so they are not translated.

`parse_ordinance` is a pure function: text in, `ParsedOrdinance` out, or `ParseError` with
messages a staff member can act on. It never raises anything else. Every regular expression
works on one line with bounded or non-overlapping repetitions, so time is linear in the text.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_TEXT_LENGTH = 500_000


class ParseError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class ParsedProvision:
    kind: str  # "heading" | "article" | "disposition"
    key: str  # stable across versions: "art-12", "disp-transitoria-2", "h-titulo-1"
    label: str  # "Artículo 12", "Disposición transitoria segunda", "TÍTULO I"
    heading: str = ""  # the article's own title ("Objeto") or the heading's name
    body: str = ""
    level: int = 0  # for headings: 1 libro/título, 2 capítulo, 3 sección, 4 parágrafo
    group: str = ""  # for dispositions: general, transitoria, derogatoria, reformatoria, final

    @property
    def is_commentable(self) -> bool:
        return self.kind in {"article", "disposition"}


@dataclass
class ParsedOrdinance:
    preamble: str = ""
    provisions: list[ParsedProvision] = field(default_factory=list)

    @property
    def articles(self) -> list[ParsedProvision]:
        return [p for p in self.provisions if p.kind == "article"]

    @property
    def commentable(self) -> list[ParsedProvision]:
        return [p for p in self.provisions if p.is_commentable]


# --- Ordinal words, built rather than listed -------------------------------------------------

_UNIT_STEMS = {
    1: ("primer",),
    2: ("segund",),
    3: ("tercer",),
    4: ("cuart",),
    5: ("quint",),
    6: ("sext",),
    7: ("septim", "setim"),
    8: ("octav",),
    9: ("noven", "non"),
}
_TEN_STEMS = {
    10: ("decim",),
    20: ("vigesim",),
    30: ("trigesim",),
    40: ("cuadragesim",),
    50: ("quincuagesim",),
    60: ("sexagesim",),
    70: ("septuagesim",),
    80: ("octogesim",),
    90: ("nonagesim",),
}
_UNIT_NAMES = {
    1: "primera",
    2: "segunda",
    3: "tercera",
    4: "cuarta",
    5: "quinta",
    6: "sexta",
    7: "séptima",
    8: "octava",
    9: "novena",
}
_TEN_NAMES = {
    10: "décima",
    20: "vigésima",
    30: "trigésima",
    40: "cuadragésima",
    50: "quincuagésima",
    60: "sexagésima",
    70: "septuagésima",
    80: "octogésima",
    90: "nonagésima",
}


def _build_ordinals() -> dict[str, int]:
    """Folded ordinal word (no accents, no spaces or hyphens) -> number; 0 is "único"."""
    table = {"unico": 0, "unica": 0}
    endings = ("o", "a")
    for number, stems in _UNIT_STEMS.items():
        for stem in stems:
            for end in endings:
                table[stem + end] = number
    for tens, ten_stems in _TEN_STEMS.items():
        for ten_stem in ten_stems:
            for ten_end in endings:
                table[ten_stem + ten_end] = tens
                for unit, stems in _UNIT_STEMS.items():
                    for stem in stems:
                        for end in endings:
                            # "vigésimo primero", "vigesimoprimera", "décima-tercera"
                            table[ten_stem + ten_end + stem + end] = tens + unit
    for end in endings:
        table["undecim" + end] = 11
        table["duodecim" + end] = 12
    return table


ORDINALS = _build_ordinals()


def ordinal_name(number: int) -> str:
    """The feminine ordinal of 0..99, as used in disposition labels ("décima tercera")."""
    if number == 0:
        return "única"
    tens, unit = divmod(number, 10)
    parts = []
    if tens:
        parts.append(_TEN_NAMES[tens * 10])
    if unit:
        parts.append(_UNIT_NAMES[unit])
    return " ".join(parts)


ORDINAL_NAMES = {number: ordinal_name(number) for number in range(100)}

HEADING_LEVELS = {"libro": 1, "titulo": 1, "capitulo": 2, "seccion": 3, "paragrafo": 4}
DISPOSITION_GROUPS = {
    "general": "general",
    "generales": "general",
    "transitoria": "transitoria",
    "transitorias": "transitoria",
    "derogatoria": "derogatoria",
    "derogatorias": "derogatoria",
    "reformatoria": "reformatoria",
    "reformatorias": "reformatoria",
    "final": "final",
    "finales": "final",
}
ARTICLE_SUFFIXES = {
    "bis": ("bis", "bis"),
    "ter": ("ter", "ter"),
    "quater": ("quater", "quáter"),
    "quinquies": ("quinquies", "quinquies"),
    "sexies": ("sexies", "sexies"),
    "septies": ("septies", "septies"),
    "octies": ("octies", "octies"),
    "novies": ("novies", "novies"),
    "nonies": ("nonies", "nonies"),
    "decies": ("decies", "decies"),
}

# --- Line-level patterns (each anchored, with no nested unbounded repetition) ---------------

_DASHES = "\\-–—‑‒−‐"
_SEP = f".:{_DASHES}"
_WORD = r"[^\W\d_]+"  # a run of letters
_NOT_LETTER = r"(?![^\W\d_])"

_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\v\x85\u2028\u2029]")
_MARKDOWN_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+(?=\*|_))?")
_QUOTE_PREFIX = re.compile(r"^\s*>")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_ESCAPE = re.compile(r"\\([.\-*_#>()\[\]])")
_TERMINATOR = re.compile(rf"\s*[{_SEP}°º][\s{_SEP}°º]*")
_END = re.compile(r"\s*$")

_ARTICLE_WORD = re.compile(rf"(?:art[ií]culo|art){_NOT_LETTER}\s*(?:\.\s*)?", re.IGNORECASE)
_ARTICLE_NUMBER = re.compile(r"(?P<number>\d{1,4})(?P<sub>(?:\.\d{1,3}){1,3})?(?!\d)")
_DEGREE = re.compile(r"\s*(?:\.\s*)?[°ºª]")
_SUFFIX = re.compile(
    rf"[\s.{_DASHES}]*(?P<suffix>bis|ter|qu[aá]ter|quinquies|sexies|septies|octies|novies|"
    rf"nonies|decies){_NOT_LETTER}",
    re.IGNORECASE,
)
_ORDINAL_WORDS = re.compile(rf"(?P<first>{_WORD})(?:[ {_DASHES}]+(?P<second>{_WORD}))?")
_HEADING_WORD = re.compile(
    r"(?P<kind>t[ií]tulo|cap[ií]tulo|secci[oó]n|par[aá]grafo|libro)\s+", re.IGNORECASE
)
_ROMAN = re.compile(rf"(?P<number>[IVXLCDM]{{1,8}}){_NOT_LETTER}")
_HEADING_NUMBER = re.compile(rf"(?P<number>\d{{1,3}}|preliminar|final|especial){_NOT_LETTER}", re.I)
_HEADING_TAIL = re.compile(rf"\s*(?:(?P<sep>[{_SEP}]+)\s*)?(?P<rest>.*)$")
_DISPOSITIONS = re.compile(
    r"disposici[oó]n(?:es)?\s+(?P<group>general(?:es)?|transitorias?|derogatorias?|"
    rf"reformatorias?|final(?:es)?){_NOT_LETTER}",
    re.IGNORECASE,
)
_NUMBERED_ITEM = re.compile(rf"(?P<number>\d{{1,2}})\s*(?:\.\s*)?[{_DASHES}]\s*(?P<rest>.*)$")
_TITLE_SPLIT = re.compile(rf"^(?P<title>[^.\n]{{1,120}}?)\.\s*[{_DASHES}]\s*(?P<body>.*)$")
_TERMINAL_PUNCTUATION = ".;:,"
_OPEN_QUOTES = "“«"
_CLOSE_QUOTES = "”»"


def _fold(text: str) -> str:
    """Lower case without accents, for matching keywords."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _ordinal_key(text: str) -> str:
    return re.sub(rf"[\s{_DASHES}]+", "", _fold(text))


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text)


def _strip_markup(line: str) -> str:
    line = _MARKDOWN_PREFIX.sub("", line.rstrip())
    line = _ESCAPE.sub(r"\1", line)
    return _EMPHASIS.sub("", line).strip()


def _is_emphasized(line: str) -> bool:
    """A Markdown line in bold as a whole ("**Artículo 1.- Objeto**")."""
    bare = _MARKDOWN_PREFIX.sub("", line).strip()
    return len(bare) > 4 and bare[:2] in {"**", "__"} and bare[-2:] in {"**", "__"}


def _read_ordinal(line: str, pos: int) -> tuple[int, str, int] | None:
    """An ordinal word (or two: "décimo tercero") at `pos`: (number, as written, end)."""
    match = _ORDINAL_WORDS.match(line, pos)
    if not match:
        return None
    if match.group("second"):
        both = _ordinal_key(match.group("first") + match.group("second"))
        if both in ORDINALS:
            return ORDINALS[both], match.group(0), match.end()
    first = _ordinal_key(match.group("first"))
    if first in ORDINALS:
        return ORDINALS[first], match.group("first"), match.start() + len(match.group("first"))
    return None


def _read_terminator(line: str, pos: int) -> str | None:
    """What follows a header: after its punctuation ("1.- rest"), or "" at the line's end."""
    match = _TERMINATOR.match(line, pos)
    if match:
        return line[match.end() :].strip()
    if _END.match(line, pos):
        return ""
    return None


@dataclass
class _Article:
    key: str
    label: str
    rest: str


def _read_article(line: str) -> _Article | None:
    start = _ARTICLE_WORD.match(line)
    if not start:
        return None
    pos = start.end()
    degree = None
    number_match = _ARTICLE_NUMBER.match(line, pos)
    if number_match:
        number = number_match.group("number").lstrip("0") or "0"
        sub = number_match.group("sub") or ""
        pos = number_match.end()
        degree = _DEGREE.match(line, pos)
        if degree:
            pos = degree.end()
        key = f"art-{number}" + sub.replace(".", "-")
        label = f"Artículo {number}{sub}"
    else:
        ordinal = _read_ordinal(line, pos)
        if ordinal is None:
            return None
        value, _written, pos = ordinal
        key, label = (
            (f"art-{value}", f"Artículo {value}") if value else ("art-unico", "Artículo único")
        )
    if suffix_match := _SUFFIX.match(line, pos):
        suffix_key, suffix_label = ARTICLE_SUFFIXES[_fold(suffix_match.group("suffix"))]
        key, label = f"{key}-{suffix_key}", f"{label} {suffix_label}"
        pos = suffix_match.end()
    rest = _read_terminator(line, pos)
    if rest is None and number_match and degree and line[pos : pos + 1] == " ":
        rest = line[pos:].strip()  # "Artículo 1° La presente…": the degree ends the header
    if rest is None:
        return None
    return _Article(key=key, label=label, rest=rest)


@dataclass
class _Heading:
    kind: str  # folded: titulo, capitulo…
    label: str
    rest: str


def _read_heading(line: str) -> _Heading | None:
    start = _HEADING_WORD.match(line)
    if not start:
        return None
    pos = start.end()
    written_kind = start.group("kind")
    if match := _ROMAN.match(line, pos) or _HEADING_NUMBER.match(line, pos):
        number = match.group("number").upper()
        pos = match.end()
    elif ordinal := _read_ordinal(line, pos):
        number, pos = ordinal[1].upper(), ordinal[2]
    else:
        return None
    tail = _HEADING_TAIL.match(line, pos)
    rest = tail.group("rest").strip()
    # "Capítulo II de la Ley…" inside a paragraph is not a heading.
    if rest and not tail.group("sep") and not written_kind.isupper() and not rest[0].isupper():
        return None
    return _Heading(kind=_fold(written_kind), label=f"{written_kind.upper()} {number}", rest=rest)


@dataclass
class _Group:
    group: str
    label: str
    number: int | None  # None: the group's heading alone; 0: única
    rest: str
    bare: bool  # the heading alone, with no text after it


def _read_group(line: str) -> _Group | None:
    start = _DISPOSITIONS.match(line)
    if not start:
        return None
    group = DISPOSITION_GROUPS[_fold(start.group("group"))]
    label = start.group(0).upper()
    pos = start.end()
    rest = _read_terminator(line, pos)
    if rest is not None:
        return _Group(group=group, label=label, number=None, rest=rest, bare=not rest)
    spaced = re.match(r"\s+", line[pos:])
    ordinal = _read_ordinal(line, pos + spaced.end()) if spaced else None
    if ordinal is None:
        return None  # "DISPOSICIONES GENERALES DE LA ORDENANZA": a heading's name or text
    value, _written, end = ordinal
    rest = _read_terminator(line, end)
    if rest is None:
        return None
    return _Group(group=group, label=label, number=value, rest=rest, bare=False)


def _read_item(line: str) -> tuple[int, str] | None:
    """A disposition by ordinal ("Segunda.- text", "VIGÉSIMA PRIMERA", "Única:")."""
    ordinal = _read_ordinal(line, 0)
    if ordinal is None:
        return None
    value, _written, end = ordinal
    rest = _read_terminator(line, end)
    if rest is None:
        return None
    return value, rest


def _split_title(rest: str) -> tuple[str, str]:
    """'Objeto.- La presente…' -> ('Objeto', 'La presente…')."""
    match = _TITLE_SPLIT.match(rest)
    if match:
        return match.group("title").strip(), match.group("body").strip()
    return "", rest.strip()


def _starts_paragraph(line: str) -> bool:
    first = line[:1]
    return first.isupper() or first in '“«"¿¡'


def _looks_like_title(line: str, following: str | None) -> bool:
    """A short line naming an article, with its text starting on the next line."""
    if not line or len(line) > 80 or len(line.split()) > 12 or not line[0].isupper():
        return False
    if following is None or not _starts_paragraph(following):
        return False
    core = line[:-1] if line.endswith(".") and len(line.split()) <= 6 else line
    return not any(ch in core for ch in _TERMINAL_PUNCTUATION)


def _is_structure(line: str) -> bool:
    return bool(_read_article(line) or _read_group(line) or _read_heading(line))


def _looks_like_heading_name(line: str) -> bool:
    if line.isupper():
        return True
    return (
        len(line) <= 150
        and len(line.split()) <= 20
        and line[0].isupper()
        and line[-1] not in _TERMINAL_PUNCTUATION
    )


def _quote_balance(line: str, depth: int) -> int:
    for ch in line:
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES and depth:
            depth -= 1
    return depth


def parse_ordinance(text: str) -> ParsedOrdinance:
    if not isinstance(text, str):
        raise ParseError([_("The draft must be text.")])
    if len(text) > MAX_TEXT_LENGTH:
        raise ParseError(
            [_("The draft is too long (at most %(max)d characters).") % {"max": MAX_TEXT_LENGTH}]
        )
    raw_lines = _normalize(text).split("\n")
    result = _parse(raw_lines, track_quotes=True)
    if result is None:
        # A quotation mark never closed: read the text without quotation tracking.
        result = _parse(raw_lines, track_quotes=False)
    return result


def _parse(raw_lines: list[str], *, track_quotes: bool) -> ParsedOrdinance | None:
    # A document quoted as a whole in Markdown ("> ..." on every line) is read unquoted;
    # otherwise a "> " line is a quotation inside a provision.
    non_empty = [raw for raw in raw_lines if raw.strip()]
    all_quoted = bool(non_empty) and all(_QUOTE_PREFIX.match(raw) for raw in non_empty)
    if all_quoted:
        raw_lines = [_QUOTE_PREFIX.sub("", raw, count=1) for raw in raw_lines]
    lines = [_strip_markup(raw) for raw in raw_lines]
    quoted_line = [bool(_QUOTE_PREFIX.match(raw)) for raw in raw_lines]
    # next_line[i]: the index of the first non-empty line after i (or None).
    next_line: list[int | None] = [None] * len(lines)
    upcoming = None
    for index in range(len(lines) - 1, -1, -1):
        next_line[index] = upcoming
        if lines[index]:
            upcoming = index

    def following(index: int) -> str | None:
        nxt = next_line[index]
        return lines[nxt] if nxt is not None else None

    result = ParsedOrdinance()
    preamble: list[str] = []
    current: ParsedProvision | None = None
    body_lines: list[str] = []
    group: str | None = None
    numbered_group = False  # the current group numbers its items "1.-", "2.-"
    group_items = 0
    errors: list[str] = []
    seen_keys: dict[str, str] = {}
    heading_counts: dict[str, int] = {}
    pending_heading: ParsedProvision | None = None
    pending_title = False  # an article header with nothing after it: its title may follow
    heading_text: dict[int, list[str]] = {}  # position of a heading -> its lines of text
    depth = 0

    def flush():
        nonlocal current, body_lines
        if current is not None:
            body = "\n".join(body_lines).strip()
            body = re.sub(r"\n{3,}", "\n\n", body)
            current.body = (current.body + ("\n" + body if body and current.body else body)).strip()
            result.provisions.append(current)
        current, body_lines = None, []

    def add(provision: ParsedProvision):
        nonlocal current
        flush()
        if provision.key in seen_keys:
            errors.append(
                _("%(label)s appears twice. Number every provision once.")
                % {"label": provision.label}
            )
            provision.key = f"{provision.key}-dup{len(seen_keys)}"
        seen_keys[provision.key] = provision.label
        current = provision

    def open_group(found: _Group):
        nonlocal group, numbered_group, group_items
        flush()
        if group != found.group:
            numbered_group, group_items = False, 0
        group = found.group
        heading_key = f"h-disposiciones-{group}"
        if heading_key not in seen_keys:
            seen_keys[heading_key] = found.label
            result.provisions.append(
                ParsedProvision(
                    kind="heading", key=heading_key, label=found.label, level=1, group=group
                )
            )

    def add_disposition(number: int, rest: str, *, numeric: bool = False):
        nonlocal group_items, numbered_group
        group_items += 1
        numbered_group = numeric
        suffix = "unica" if number == 0 else str(number)
        title, body = _split_title(rest)
        if not body and title:
            title, body = "", rest.strip()
        add(
            ParsedProvision(
                kind="disposition",
                key=f"disp-{group}-{suffix}",
                label=f"Disposición {group} {ORDINAL_NAMES[number]}",
                heading=title,
                body=body,
                group=group,
            )
        )

    def plain(raw: str, line: str):
        """A line of text that is no header."""
        if current is not None:
            body_lines.append(line)
        elif group is not None:
            # A disposition group with text but no ordinal ("DISPOSICIÓN FINAL\nEsta
            # ordenanza entrará en vigencia…") is its sole provision.
            add_disposition(0, "")
            current.label = f"Disposición {group}"
            body_lines.append(line)
        elif result.provisions and result.provisions[-1].kind == "heading":
            # Text between a heading and the first article: keep it with that heading.
            heading_text.setdefault(len(result.provisions) - 1, []).append(line)
        else:
            preamble.append(raw.strip())

    for index, raw in enumerate(raw_lines):
        line = lines[index]
        if not line:
            body_lines.append("")
            continue
        in_quote = depth > 0 or (quoted_line[index] and current is not None)
        if track_quotes:
            depth = _quote_balance(line, depth)
        if in_quote:
            pending_title = False
            pending_heading = None
            plain(raw, line)
            continue
        if pending_title:
            pending_title = False
            if not _is_structure(line):
                title, body = _split_title(line)
                if title:
                    current.heading, current.body = title, body
                    continue
                nxt = following(index)
                if _looks_like_title(line, nxt) and not _is_structure(nxt):
                    current.heading = line.rstrip(".")
                    continue
        if article := _read_article(line):
            group = None
            pending_heading = None
            title, body = _split_title(article.rest)
            nxt = following(index)
            if (
                not title
                and body
                and (body.isupper() or _is_emphasized(raw))
                and len(body) <= 120
                and body[-1] not in ";:,"
                and nxt is not None
                and _starts_paragraph(nxt)
                and not _is_structure(nxt)
            ):
                # "ARTÍCULO 1.- OBJETO" or "**Artículo 1.- Objeto**", the text below.
                title, body = body.rstrip("."), ""
            add(
                ParsedProvision(
                    kind="article",
                    key=article.key,
                    label=article.label,
                    heading=title,
                    body=body,
                )
            )
            pending_title = not article.rest
            continue
        if found := _read_group(line):
            if found.bare and pending_heading is not None:
                nxt = next_line[index]
                if nxt is not None and _read_article(lines[nxt]):
                    # "TÍTULO I\nDISPOSICIONES GENERALES\nArtículo 1.-": the título's name.
                    pending_heading.heading = line.rstrip(".:")
                    pending_heading = None
                    continue
            pending_heading = None
            open_group(found)
            if found.number is not None:
                add_disposition(found.number, found.rest)
            elif found.rest:
                # "DISPOSICIÓN FINAL.- Esta ordenanza entrará en vigencia…"
                add_disposition(0, found.rest)
                current.label = f"Disposición {group}"
            continue
        if group is not None:
            if item := _read_item(line):
                add_disposition(*item)
                pending_heading = None
                continue
            if (group_items == 0 or numbered_group) and (match := _NUMBERED_ITEM.match(line)):
                add_disposition(int(match.group("number")), match.group("rest"), numeric=True)
                pending_heading = None
                continue
        if heading := _read_heading(line):
            level = HEADING_LEVELS.get(heading.kind, 3)
            heading_counts[heading.kind] = heading_counts.get(heading.kind, 0) + 1
            flush()
            if level <= 2:
                group = None
            result.provisions.append(
                ParsedProvision(
                    kind="heading",
                    key=f"h-{heading.kind}-{heading_counts[heading.kind]}",
                    label=heading.label,
                    heading=heading.rest,
                    level=level,
                )
            )
            # The heading's name is often on the next line ("TÍTULO I\nDE LA PARTICIPACIÓN").
            pending_heading = result.provisions[-1] if not heading.rest else None
            continue
        if pending_heading is not None and current is None and _looks_like_heading_name(line):
            pending_heading.heading = line
            pending_heading = None
            continue
        pending_heading = None
        plain(raw, line)
    if track_quotes and depth > 0:
        return None
    flush()
    for position, text_lines in heading_text.items():
        result.provisions[position].body = "\n".join(text_lines).strip()
    result.preamble = "\n".join(preamble).strip()
    if not result.commentable:
        errors.insert(
            0,
            _(
                "No articles were found. Each article must start on its own line "
                "with “Artículo 1.-” or “Art. 1.-”."
            ),
        )
    if errors:
        raise ParseError(errors)
    return result
