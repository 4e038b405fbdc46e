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
  or by number ("1.-", "1ª.-", only while the group has no ordinal items; "Disposición
  Transitoria 1.-" with its group); a group with text and no item is its sole disposition
  ("DISPOSICIÓN FINAL\\nEsta ordenanza entrará en vigencia…"), but text between a group and
  its first feminine ordinal item (a running header, a note) is the group heading's body.
  Items are feminine ordinals: inside a disposition, "PRIMERO.-", "SEGUNDO.-" number the
  points of its text (a reform listing its changes), unless the group's first item is
  masculine too. The ordinal may come first ("PRIMERA DISPOSICIÓN TRANSITORIA.- text",
  "PRIMERA.- DISPOSICIÓN TRANSITORIA.- text": disp-transitoria-1). A combined group
  ("DISPOSICIONES REFORMATORIAS Y DEROGATORIAS") is a group of its own, keyed by its parts
  in the order written: disp-reformatoria-y-derogatoria-1, h-disposiciones-reformatoria-y-
  derogatoria, labels "Disposición reformatoria y derogatoria primera" (the group field of
  its dispositions is "reformatoria-y-derogatoria").
- Headings with roman numerals, digits or ordinal words, named on the same or the next line.
  "DISPOSICIONES GENERALES" just under a heading with no name, before a heading or an
  article ("TÍTULO I\\nDISPOSICIONES GENERALES\\nCAPÍTULO I\\nOBJETO\\nArtículo 1.-"), is that
  heading's name; the same words after the articles, before "PRIMERA.-", are the group.
- Markdown (#, >, **bold**, _italics_, escaped "1\\."), Word pastes (non-breaking spaces, tabs,
  soft hyphens, smart dashes, CRLF, vertical-tab line breaks), NFD accents, the Latin
  ligatures of PDF text (U+FB00–U+FB06 spelled out: "ﬁnal" is "final"; no NFKC, which would
  turn the "º" of "1º" into a letter). Invisible format characters (Unicode category Cf:
  zero-width spaces, byte-order marks, left-to-right and right-to-left marks, embeddings and
  isolates) are dropped everywhere. Numbers are ASCII
  digits; full-width ones ("１２") are read as ASCII, other scripts' digits are text.
- PDF pastes: a line that is only page furniture — "Página 5 de 12", "Pág. 5", "Pag 5/12", or
  a page number ("5", "- 5 -", at most four digits) — is dropped wherever it is, since a line
  that is only a number is almost always a page number (numbered items carry text: "1.-
  …"); a number next to another line that is only a number is kept (a column of figures).
  When the text above a footer does not end a sentence, the blank lines around the footer
  are dropped too, so the sentence (and a reference wrapped across the page) goes on.
  Messages still give the pasted line numbers. Repeated running headers ("ORDENANZA
  METROPOLITANA No. 045") are not recognised.
- Markdown blockquotes ("> Art. 238.- …" quoting the Constitution in the considerandos) are
  quotations, body or preamble text, unless no line outside them reads as an article or a
  disposition group (a document, or its articles, quoted as a whole): then they are read.

What is not a header although it looks like one — a reference wrapped onto the start of a
line: "…lo previsto en el\\nartículo 12. Los recursos…", "…según la\\nDisposición Transitoria
Primera. Además…", "…en el\\nCapítulo II. Las…". A header-like line is body text when the
line just above it (no blank line between) is text that does not end a sentence (with ".",
":", ";", "!" or "?"), the header has no punctuation of its own but a bare "." or none (".-",
"–" or ":" always make a header), and either its first word is in lower case ("artículo",
"capítulo", "disposición", "primera") or the line above ends with a word no sentence ends
with ("el", "la", "del", "según", "previsto"…; headers in capitals are exempt from this
second test unless the line above is in capitals too). An ordinal item of a disposition group
with a bare "." is also body text after an unfinished line ending in "disposición", a group
word ("…en la Disposición Transitoria\\nTercera. Además…") or a connecting word, or when the
same ordinal starts a line further down. Never a reference: a header after a list item ("a)",
"1.", "-", "•": "b) …de la misma\\nArtículo 5. Plazo.") unless in lower case, and a capitalised
"Artículo N." that is the next article (the last one read plus one) and is not numbered again
further down. Any other header-like line is a header: after a blank line, a finished sentence,
a heading or its name, with ".-" or ":", or after "…sin punto final" ending in a noun.

Quotations: lines inside a quotation (“…”, "…", «…») opened on an earlier line are body text:
the articles a reform ordinance quotes are not articles of the reform itself. A quotation
that runs over lines opens with a mark at the start of a line (after Markdown) or right after
a colon ("por el siguiente: “Art. 5.-…") and closes at the next line that ends with a closing
mark (followed only by ".", ",", ";" or ":"); curly and straight double marks close each other
(“…" is one quotation), guillemets only each other, so a "»" starting a line (Spanish
continuation mark) closes nothing. Marks inside a line, and a line that pairs its own marks
("Art. 11.- x.”" after an opening mark, an even count of "), are inline quotations. A new
opening mark while one is open means the earlier one was never closed; one never closed
covers nothing past its own line. No rule depends on article numbers, so a reform may quote
"Art. 1.-…Art. 2.-" and then continue with its own Artículo 2. A quotation may hold blank
lines, disposition groups, headings and other articles (a reform quoting "Art. 5.1",
"CAPÍTULO II" or "DISPOSICIÓN TRANSITORIA" of the code it amends).

Keys are stable across versions and layouts: "art-12", "art-3-bis", "art-5-1", "art-unico",
"disp-transitoria-2", "disp-final-unica", "h-titulo-1" (the n-th título), "h-disposiciones-
general". "ARTÍCULO PRIMERO" is art-1, like "Artículo 1".

Labels ("Artículo 3 bis", "Disposición transitoria primera") are part of the document, which
is in Spanish whatever the reader's language, so they are not translated.

`parse_ordinance` is a pure function: text in, `ParsedOrdinance` out, or `ParseError` with
messages a staff member can act on: a provision numbered twice is named with the lines it
starts on ("Artículo 12 appears twice (lines 40 and 88)"), one message per key, at most
MAX_MESSAGES messages and then how many more. It never raises anything else. Every regular
expression works on one line with bounded or non-overlapping repetitions, so time is linear
in the text.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_TEXT_LENGTH = 500_000
MAX_MESSAGES = 20  # problems listed in a ParseError; the rest are counted


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
_FULLWIDTH_DIGITS = {0xFF10 + n: 0x30 + n for n in range(10)}  # "１２" is "12"
# Latin ligatures of PDF text ("Disposición ﬁnal"), spelled out; no NFKC, which would also turn
# the ordinal indicators of "1º" and "1ª" into letters.
_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl"}
_LIGATURES.update({0xFB05: "st", 0xFB06: "st"})
_LINE_BREAKS = re.compile(r"\r\n?|[\v\x85\u2028\u2029]")
_MARKDOWN_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+(?=\*|_))?")
_QUOTE_PREFIX = re.compile(r"^\s*>")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_ESCAPE = re.compile(r"\\([.\-*_#>()\[\]])")
_TERMINATOR = re.compile(rf"\s*[{_SEP}°º][\s{_SEP}°º]*")
_END = re.compile(r"\s*$")

_ARTICLE_WORD = re.compile(rf"(?:art[ií]culo|art){_NOT_LETTER}\s*(?:\.\s*)?", re.IGNORECASE)
_ARTICLE_NUMBER = re.compile(r"(?P<number>[0-9]{1,4})(?P<sub>(?:\.[0-9]{1,3}){1,3})?(?![0-9])")
_DEGREE = re.compile(r"\s*(?:\.\s*)?[°ºª]")
# One "." or dash at most before the suffix ("5-bis", "5. ter"): after ".-" comes the title.
_SUFFIX = re.compile(
    rf"\s*(?:[.{_DASHES}]\s*)?(?P<suffix>bis|ter|qu[aá]ter|quinquies|sexies|septies|octies|novies|"
    rf"nonies|decies){_NOT_LETTER}",
    re.IGNORECASE,
)
_ORDINAL_WORDS = re.compile(rf"(?P<first>{_WORD})(?:[ {_DASHES}]+(?P<second>{_WORD}))?")
_HEADING_WORD = re.compile(
    r"(?P<kind>t[ií]tulo|cap[ií]tulo|secci[oó]n|par[aá]grafo|libro)\s+", re.IGNORECASE
)
_ROMAN = re.compile(rf"(?P<number>[IVXLCDM]{{1,8}}){_NOT_LETTER}")
_HEADING_NUMBER = re.compile(
    rf"(?P<number>[0-9]{{1,3}}|preliminar|final|especial){_NOT_LETTER}", re.IGNORECASE
)
_HEADING_TAIL = re.compile(rf"\s*(?:(?P<sep>[{_SEP}]+)\s*)?(?P<rest>.*)$")
_GROUP_WORD = r"(?:general(?:es)?|transitorias?|derogatorias?|reformatorias?|final(?:es)?)"
_GROUP_WORDS = re.compile(_GROUP_WORD, re.IGNORECASE)
# "DISPOSICIONES REFORMATORIAS Y DEROGATORIAS", "DISPOSICIONES GENERALES, TRANSITORIAS Y FINALES"
_DISPOSITIONS = re.compile(
    rf"disposici[oó]n(?:es)?\s+(?P<group>{_GROUP_WORD}"
    rf"(?:(?:\s*,\s*|\s+[ye]\s+){_GROUP_WORD}){{0,2}}){_NOT_LETTER}",
    re.IGNORECASE,
)
# Between the ordinal and the group: "PRIMERA DISPOSICIÓN…", "PRIMERA.- DISPOSICIÓN…".
_REVERSED_GAP = re.compile(rf"[\s.:{_DASHES}]{{1,8}}")
_NUMBERED_ITEM = re.compile(
    rf"(?P<number>[0-9]{{1,2}})\s*(?:[ªº°]\s*)?(?:\.\s*)?[{_DASHES}]\s*(?P<rest>.*)$"
)
_GROUP_NUMBER = re.compile(r"(?P<number>[0-9]{1,2})(?![0-9])(?:\s*[ªº°])?")
_TITLE_SPLIT = re.compile(rf"^(?P<title>[^.\n]{{1,120}}?)\.\s*[{_DASHES}]\s*(?P<body>.*)$")
_TERMINAL_PUNCTUATION = ".;:,"
# Quotation marks by family: curly and straight double quotes close each other.
_QUOTE_FAMILIES = (('“"', '”"'), ("«", "»"))
_COLON_QUOTE = {
    openers: re.compile(":\\s{0,8}[" + re.escape(openers) + "]") for openers, _ in _QUOTE_FAMILIES
}
_AFTER_CLOSER = ".,;: "
_SENTENCE_END = ".:;!?"
_TRAILING = "”»\"')]*_ "  # closing marks after the end of a sentence ("…vigente.”")
_HEADER_TERMINATOR = frozenset(f"{_SEP}°º ")
# Words a sentence does not end with: a line ending in one of them continues on the next line,
# so "…lo previsto en el\nCapítulo II. Las multas…" is a reference, not a heading.
_CONNECTING_TEXT = (
    "a al ante bajo con conforme contra de del desde durante e el en entre esa ese esta este "
    "hacia hasta la las lo los mediante ni o para por que se segun sin sobre su sus tras u y "
    "dicho dicha mismo misma presente previsto prevista previstos previstas establecido "
    "establecida establecidos establecidas dispuesto dispuesta dispuestos dispuestas senalado "
    "senalada senalados senaladas mencionado mencionada citado citada referido referida "
    "indicado indicada contemplado contemplada determinado determinada cuyo cuya cuyos cuyas "
    "vease ver"
)
_CONNECTING_WORDS = frozenset(_CONNECTING_TEXT.split())
# Words a reference to a disposition ends with before its ordinal: "…en la disposición\nSegunda."
_REFERENCE_WORDS = _CONNECTING_WORDS | {"disposicion", "disposiciones"} | set(DISPOSITION_GROUPS)
# Page furniture of a PDF paste, alone on a line: "Página 5 de 12", "Pág. 5", "- 5 -", "5".
_PAGE_NUMBER = re.compile(rf"[{_DASHES}]?\s{{0,3}}[0-9]{{1,4}}\s{{0,3}}[{_DASHES}]?")
_FOOTER = re.compile(
    r"p[aá]g(?:ina|\.)?\s{0,3}[0-9]{1,4}(?:\s{0,3}(?:de|/)\s{0,3}[0-9]{1,4})?|"
    + _PAGE_NUMBER.pattern,
    re.IGNORECASE,
)
# A list item: "a) …", "1. …", "iv) …", "- …", "• …".
_LIST_ITEM = re.compile(r"(?:[a-zA-Z]|[0-9]{1,3}|[ivxlc]{1,6})[).]\s|[-•·*–—]\s")


def _fold(text: str) -> str:
    """Lower case without accents, for matching keywords."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    # Case-insensitive patterns also match the dotless "ı" for "i"; keys stay ASCII.
    return folded.replace("ı", "i")


@functools.lru_cache(maxsize=2048)
def _ordinal_key(text: str) -> str:
    return re.sub(rf"[\s{_DASHES}]+", "", _fold(text))


def _normalize(text: str) -> str:
    # Format characters (Unicode category Cf: soft hyphens, zero-width spaces, byte-order marks,
    # left-to-right and embedding marks, isolates…) are invisible and are dropped everywhere,
    # so "\u200eArtículo 2.-" is an article. Full-width digits become ASCII digits; other
    # scripts' digits are text ("Artículo ٢" is no header), since numbers are read as [0-9].
    table = {ord(ch): None for ch in set(text) if unicodedata.category(ch) == "Cf"}
    table.update(_FULLWIDTH_DIGITS)
    table.update(_LIGATURES)
    table[0] = None
    text = unicodedata.normalize("NFC", text.translate(table))
    text = _LINE_BREAKS.sub("\n", text)
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
    number: int | None = None  # the article's number (None: "Artículo único")
    plain: bool = False  # "Artículo 12", not "Artículo 12 bis" or "Artículo 12.1"


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
        value = int(number)
    else:
        ordinal = _read_ordinal(line, pos)
        if ordinal is None:
            return None
        value, _written, pos = ordinal
        key, label = (
            (f"art-{value}", f"Artículo {value}") if value else ("art-unico", "Artículo único")
        )
        value = value or None
    plain = value is not None and key == f"art-{value}"
    if suffix_match := _SUFFIX.match(line, pos):
        suffix_key, suffix_label = ARTICLE_SUFFIXES[_fold(suffix_match.group("suffix"))]
        key, label = f"{key}-{suffix_key}", f"{label} {suffix_label}"
        pos = suffix_match.end()
        plain = False
    rest = _read_terminator(line, pos)
    if rest is None and number_match and degree and line[pos : pos + 1] == " ":
        rest = line[pos:].strip()  # "Artículo 1° La presente…": the degree ends the header
    if rest is None:
        return None
    return _Article(key=key, label=label, rest=rest, number=value, plain=plain)


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


def _group_of(match: re.Match) -> str:
    """ "REFORMATORIAS Y DEROGATORIAS" -> "reformatoria-y-derogatoria"; "FINALES" -> "final"."""
    groups: list[str] = []
    for word in _GROUP_WORDS.findall(match.group("group")):
        name = DISPOSITION_GROUPS.get(_fold(word), "general")
        if name not in groups:
            groups.append(name)
    return "-y-".join(groups)


def _group_name(group: str) -> str:
    """The group as written in a label: "reformatoria y derogatoria", "general, transitoria y
    final"."""
    *first, last = group.split("-y-")
    return f"{', '.join(first)} y {last}" if first else last


def _read_group(line: str) -> _Group | None:
    start = _DISPOSITIONS.match(line)
    if not start:
        return None
    group = _group_of(start)
    label = start.group(0).upper()
    pos = start.end()
    rest = _read_terminator(line, pos)
    if rest is not None:
        return _Group(group=group, label=label, number=None, rest=rest, bare=not rest)
    spaced = re.match(r"\s+", line[pos:])
    ordinal = _read_ordinal(line, pos + spaced.end()) if spaced else None
    if ordinal is None and spaced:
        # "Disposición Transitoria 1.-", "DISPOSICIÓN GENERAL 2ª.-"
        digits = _GROUP_NUMBER.match(line, pos + spaced.end())
        if digits and int(digits.group("number")):
            ordinal = int(digits.group("number")), digits.group(0), digits.end()
    if ordinal is None:
        return None  # "DISPOSICIONES GENERALES DE LA ORDENANZA": a heading's name or text
    value, _written, end = ordinal
    rest = _read_terminator(line, end)
    if rest is None:
        return None
    return _Group(group=group, label=label, number=value, rest=rest, bare=False)


def _read_reversed(line: str) -> _Group | None:
    """The ordinal first: "PRIMERA DISPOSICIÓN TRANSITORIA.- text", "Única.- Disposición final"."""
    ordinal = _read_ordinal(line, 0)
    if ordinal is None:
        return None
    value, _written, end = ordinal
    gap = _REVERSED_GAP.match(line, end)
    start = _DISPOSITIONS.match(line, gap.end()) if gap else None
    if not start:
        return None
    rest = _read_terminator(line, start.end())
    if rest is None:
        return None
    label = start.group(0).upper()
    return _Group(group=_group_of(start), label=label, number=value, rest=rest, bare=False)


def _read_item(line: str) -> tuple[int, str, bool] | None:
    """A disposition by ordinal ("Segunda.- text", "VIGÉSIMA PRIMERA", "Única:"): its number,
    the text after it and whether the ordinal is masculine ("PRIMERO.-")."""
    ordinal = _read_ordinal(line, 0)
    if ordinal is None:
        return None
    value, written, end = ordinal
    rest = _read_terminator(line, end)
    if rest is None:
        return None
    return value, rest, not _fold(written).endswith("a")


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


def _ends_sentence(line: str) -> bool:
    end = line.rstrip(_TRAILING)
    return not end or end[-1] in _SENTENCE_END


def _bare_marker(line: str, rest: str) -> bool:
    """The header ends with a bare "." or nothing: no ".-", "–" or ":" of its own."""
    marker = line[: len(line) - len(rest)].rstrip() if rest else line
    position = len(marker)
    while position and marker[position - 1] in _HEADER_TERMINATOR:
        position -= 1
    return not any(ch == ":" or ch in _DASHES for ch in marker[position:])


def _last_word(line: str) -> str:
    words = line[-80:].split()
    return _fold(words[-1]).strip(",") if words else ""


def _is_reference(previous: str | None, line: str, rest: str) -> bool:
    """A header-like line that continues the sentence of the line just above it.

    "…lo previsto en el\nartículo 12. Los recursos…", "…según la\nDisposición Transitoria
    Primera. Además…": the line above is text that does not end a sentence, the header has
    no header punctuation of its own (only "." or nothing; ".-", "–" or ":" make a header)
    and either its first word is in lower case or the line above ends with a word no
    sentence ends with ("el", "la", "según"…). A header in capitals is exempt from that last
    test ("…; y\nCAPÍTULO II") unless the line above is in capitals too."""
    if previous is None or _ends_sentence(previous) or not _bare_marker(line, rest):
        return False
    if line[:1].islower():
        return True
    if line.split(maxsplit=1)[0].isupper() and not previous.isupper():
        return False  # "CAPÍTULO II" in capitals is a heading even after "…; y"
    return _last_word(previous) in _CONNECTING_WORDS


def _page_furniture(lines: list[str]) -> list[bool]:
    """Which lines are page furniture of a PDF paste, to be dropped.

    A line that is only "Página 5 de 12", "Pág. 5", "Pag 5/12" or a page number ("5", "- 5 -",
    at most 4 digits) is a footer, except a number next to another line that is only a number
    (a column of figures is kept). When the text above a footer does not end a sentence, the
    blank lines around the footer go too: the sentence goes on across the page break, so
    "…según la\n\nPágina 3 de 12\n\nDisposición Transitoria Primera. Además…" is still a
    wrapped reference."""
    count = len(lines)
    footer = [bool(line) and len(line) <= 32 and bool(_FOOTER.fullmatch(line)) for line in lines]
    number = [
        footer[index] and bool(_PAGE_NUMBER.fullmatch(line)) for index, line in enumerate(lines)
    ]
    if any(number):
        neighbour: list[int | None] = [None] * count  # the non-blank line above
        last = None
        for index, line in enumerate(lines):
            neighbour[index] = last
            if line:
                last = index
        below = None
        for index in range(count - 1, -1, -1):
            if number[index]:
                above = neighbour[index]
                if (above is not None and number[above]) or (below is not None and number[below]):
                    footer[index] = False
            if lines[index]:
                below = index
    skip = footer[:]
    blanks: list[int] = []
    joining = False
    last_text = None
    for index, line in enumerate(lines):
        if footer[index]:
            if last_text is not None and not _ends_sentence(lines[last_text]):
                for blank in blanks:
                    skip[blank] = True
                joining = True
            blanks = []
        elif not line:
            if joining:
                skip[index] = True
            else:
                blanks.append(index)
        else:
            last_text, blanks, joining = index, [], False
    return skip


def _quote_events(line: str, openers: str, closers: str) -> tuple[int | None, int | None]:
    """Where `line` opens a quotation that runs past it, and where it closes one from above.

    An opener counts at the start of the line or right after a colon ("por el siguiente:
    “Art. 5.-…"), a closer at its end (only ".", ",", ";", ":" after it), and only when the
    line does not pair it itself: “ or ” outnumber each other, an odd count of ".
    """
    curly_open = line.count(openers[0]) if openers[0] != '"' else 0
    curly_close = line.count(closers[0]) if closers[0] != '"' else 0
    straight = line.count('"') if '"' in openers else 0

    def unmatched(ch: str, opening: bool) -> bool:
        if ch == '"':
            return straight % 2 == 1
        return curly_open > curly_close if opening else curly_close > curly_open

    opener = None
    if line[:1] in openers:
        opener = 0
    else:
        colon = _COLON_QUOTE[openers].search(line)
        if colon:
            opener = colon.end() - 1
    if opener is not None and not unmatched(line[opener], True):
        opener = None
    end = len(line.rstrip(_AFTER_CLOSER)) - 1
    closer = end if end >= 0 and line[end] in closers and unmatched(line[end], False) else None
    return opener, closer


def _quoted_lines(lines: list[str]) -> list[bool]:
    """Which lines are inside a quotation (“…”, "…", «…») opened on an earlier line.

    A quotation opens with a mark at the start of a line or after a colon and closes at the
    next line that ends with a closing mark (“…" or "…” close each other too); marks inside a
    line are inline quotations. A new opening mark while one is open means the earlier one was
    never closed; one never closed covers nothing past its own line. Time is linear."""
    count = len(lines)
    delta = [0] * (count + 1)
    for openers, closers in _QUOTE_FAMILIES:
        open_at: int | None = None
        for index, line in enumerate(lines):
            if not line or not any(ch in line for ch in openers + closers):
                continue
            opener, closer = _quote_events(line, openers, closers)
            if opener is not None and closer is not None and opener < closer:
                open_at = None  # "“Art. 11.- x.”": opened and closed on its own line
            elif closer is not None and open_at is not None:
                delta[open_at + 1] += 1
                delta[index + 1] -= 1
                open_at = None
            elif opener is not None:
                open_at = index
    inside: list[bool] = []
    depth = 0
    for index in range(count):
        depth += delta[index]
        inside.append(depth > 0)
    return inside


def parse_ordinance(text: str) -> ParsedOrdinance:
    if not isinstance(text, str):
        raise ParseError([_("The draft must be text.")])
    if len(text) > MAX_TEXT_LENGTH:
        raise ParseError(
            [_("The draft is too long (at most %(max)d characters).") % {"max": MAX_TEXT_LENGTH}]
        )
    return _parse(_normalize(text).split("\n"))


def _duplicate_message(label: str, line_numbers: list[int]) -> str:
    if len(line_numbers) == 2:
        return _(
            "%(label)s appears twice (lines %(first)d and %(second)d). Number every provision once."
        ) % {"label": label, "first": line_numbers[0], "second": line_numbers[1]}
    shown = ", ".join(str(number) for number in line_numbers[:10])
    if len(line_numbers) > 10:
        shown += ", …"
    return _(
        "%(label)s appears %(count)d times (lines %(lines)s). Number every provision once."
    ) % {"label": label, "count": len(line_numbers), "lines": shown}


def _capped(errors: list[str]) -> list[str]:
    """At most MAX_MESSAGES problems, and how many more there are."""
    if len(errors) <= MAX_MESSAGES:
        return errors
    more = len(errors) - MAX_MESSAGES
    return [
        *errors[:MAX_MESSAGES],
        ngettext(
            "%(count)d more problem is not listed.",
            "%(count)d more problems are not listed.",
            more,
        )
        % {"count": more},
    ]


def _parse(raw_lines: list[str]) -> ParsedOrdinance:
    # A "> " line is a Markdown quotation (body or preamble text: "> Art. 238.- …" quoting the
    # Constitution), unless no line outside the quotations reads as an article or a
    # disposition group: then the document was quoted as a whole (or its articles were) and is
    # read unquoted.
    quoted_line = [bool(_QUOTE_PREFIX.match(raw)) for raw in raw_lines]
    lines = [_strip_markup(raw) for raw in raw_lines]
    if any(quoted_line) and not any(
        not quoted and line[:1].isalpha() and (_read_article(line) or _read_group(line))
        for quoted, line in zip(quoted_line, lines, strict=True)
    ):
        raw_lines = [_QUOTE_PREFIX.sub("", raw, count=1) for raw in raw_lines]
        quoted_line = [False] * len(raw_lines)
    # Page furniture of a PDF paste is dropped; line numbers in messages stay the pasted ones.
    skip = _page_furniture(lines)
    numbers = [index + 1 for index in range(len(lines)) if not skip[index]]
    if len(numbers) < len(lines):
        raw_lines = [raw for raw, dropped in zip(raw_lines, skip, strict=True) if not dropped]
        quoted_line = [q for q, dropped in zip(quoted_line, skip, strict=True) if not dropped]
        lines = [line for line, dropped in zip(lines, skip, strict=True) if not dropped]
    inside_quotes = _quoted_lines(lines)
    # The last line each article key and each ordinal item starts on, outside quotations: a
    # header-like line numbered again further down is more likely a wrapped reference.
    article_lines: dict[str, int] = {}
    item_lines: dict[int, int] = {}
    for index, line in enumerate(lines):
        if line[:1].isalpha() and not inside_quotes[index] and not quoted_line[index]:
            if article := _read_article(line):
                article_lines[article.key] = index
            elif item := _read_item(line):
                item_lines[item[0]] = index
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
    masculine_group = False  # … or "PRIMERO.-", "SEGUNDO.-" (its first item did)
    group_items = 0
    seen_keys: dict[str, str] = {}
    key_lines: dict[str, list[int]] = {}  # a provision's key -> the lines it starts on
    heading_counts: dict[str, int] = {}
    pending_heading: ParsedProvision | None = None
    pending_title = False  # an article header with nothing after it: its title may follow
    heading_text: dict[int, list[str]] = {}  # position of a heading -> its lines of text
    line_number = 0
    last_text: str | None = None  # the line above, when it was text (not a header or name)
    last_article = 0  # the number of the last article read
    sole_text = False  # `current` is a group's sole disposition, made of text with no ordinal
    group_headings: dict[str, ParsedProvision] = {}

    def flush():
        nonlocal current, body_lines
        if current is not None:
            body = "\n".join(body_lines).strip()
            body = re.sub(r"\n{3,}", "\n\n", body)
            current.body = (current.body + ("\n" + body if body and current.body else body)).strip()
            result.provisions.append(current)
        current, body_lines = None, []

    def add(provision: ParsedProvision):
        nonlocal current, sole_text
        sole_text = False
        flush()
        key = provision.key
        key_lines.setdefault(key, []).append(line_number)
        if key in seen_keys:
            provision.key = f"{key}-dup{len(key_lines[key])}"
        seen_keys.setdefault(key, provision.label)
        seen_keys[provision.key] = provision.label
        current = provision

    def open_group(found: _Group):
        nonlocal group, numbered_group, masculine_group, group_items, sole_text
        sole_text = False
        flush()
        if group != found.group:
            numbered_group, masculine_group, group_items = False, False, 0
        group = found.group
        heading_key = f"h-disposiciones-{group}"
        if heading_key not in seen_keys:
            seen_keys[heading_key] = found.label
            group_headings[group] = ParsedProvision(
                kind="heading", key=heading_key, label=found.label, level=1, group=group
            )
            result.provisions.append(group_headings[group])

    def add_disposition(number: int, rest: str, *, numeric: bool = False, masculine=False):
        nonlocal group_items, numbered_group, masculine_group, current, body_lines
        sole_key = f"disp-{group}-unica"
        if (
            sole_text
            and current is not None
            and current.key == sole_key
            and len(key_lines[sole_key]) == 1
            and group in group_headings
        ):
            # "DISPOSICIONES GENERALES\nORDENANZA No. 045\nPRIMERA.-": the text between the
            # group and its first item was no sole disposition; it stays with the group.
            text = "\n".join(body_lines).strip()
            heading = group_headings[group]
            heading.body = (heading.body + "\n" + text).strip()
            del key_lines[sole_key], seen_keys[sole_key]
            current, body_lines = None, []
            group_items -= 1
        group_items += 1
        numbered_group, masculine_group = numeric, masculine
        suffix = "unica" if number == 0 else str(number)
        title, body = _split_title(rest)
        if not body and title:
            title, body = "", rest.strip()
        add(
            ParsedProvision(
                kind="disposition",
                key=f"disp-{group}-{suffix}",
                label=f"Disposición {_group_name(group)} {ORDINAL_NAMES[number]}",
                heading=title,
                body=body,
                group=group,
            )
        )

    def plain(raw: str, line: str):
        """A line of text that is no header."""
        nonlocal last_text, sole_text
        last_text = line
        if current is not None:
            body_lines.append(line)
        elif group is not None:
            # A disposition group with text but no ordinal ("DISPOSICIÓN FINAL\nEsta
            # ordenanza entrará en vigencia…") is its sole provision.
            add_disposition(0, "")
            current.label = f"Disposición {_group_name(group)}"
            body_lines.append(line)
            sole_text = True
        elif result.provisions and result.provisions[-1].kind == "heading":
            # Text between a heading and the first article: keep it with that heading.
            heading_text.setdefault(len(result.provisions) - 1, []).append(line)
        else:
            preamble.append(raw.strip())

    def wrapped(previous: str | None, line: str, index: int) -> bool:
        """A header-like `line` that is a reference wrapped from the line above."""
        if previous is None or not line[:1].isalpha() or _ends_sentence(previous):
            return False
        lower = line[:1].islower()
        if not lower and _LIST_ITEM.match(previous):
            return False  # "b) …para la aplicación de la misma\nArtículo 5. Plazo."
        if article := _read_article(line):
            if (
                not lower
                and article.plain
                and article.number == last_article + 1
                and article_lines.get(article.key) == index
            ):
                return False  # the next article, numbered nowhere else below
            return _is_reference(previous, line, article.rest)
        if found := _read_group(line) or _read_reversed(line):
            return _is_reference(previous, line, found.rest)
        if group is not None and (item := _read_item(line)):
            if _bare_marker(line, item[1]) and (
                _last_word(previous) in _REFERENCE_WORDS or item_lines.get(item[0], 0) > index
            ):
                return True  # "…señalado en la disposición\nSegunda. Además…"
            return _is_reference(previous, line, item[1])
        if heading := _read_heading(line):
            return _is_reference(previous, line, heading.rest)
        return False

    for index, raw in enumerate(raw_lines):
        line = lines[index]
        line_number = numbers[index]
        previous, last_text = last_text, None
        if not line:
            body_lines.append("")
            continue
        if inside_quotes[index] or quoted_line[index]:
            pending_title = False
            pending_heading = None
            plain(raw, line)
            continue
        if wrapped(previous, line, index):
            # "…lo previsto en el\nartículo 12. Los recursos…": a wrapped reference.
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
                    last_text = line if body else None
                    continue
                nxt = following(index)
                if _looks_like_title(line, nxt) and not _is_structure(nxt):
                    current.heading = line.rstrip(".")
                    continue
        if article := _read_article(line):
            group = None
            if article.number is not None:
                last_article = article.number
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
            last_text = line if body else None
            continue
        if found := _read_group(line) or _read_reversed(line):
            if found.bare and pending_heading is not None:
                nxt = next_line[index]
                if nxt is not None and (_read_article(lines[nxt]) or _read_heading(lines[nxt])):
                    # "TÍTULO I\nDISPOSICIONES GENERALES\nCAPÍTULO I" or "…\nArtículo 1.-":
                    # the título's name, not a group of dispositions.
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
                current.label = f"Disposición {_group_name(group)}"
            last_text = line if found.rest else None
            continue
        if group is not None:
            # Dispositions are feminine ("la disposición primera"): a masculine ordinal
            # ("PRIMERO.-") numbers the points of a disposition's text, unless the group
            # numbers its items that way from its first one.
            item = _read_item(line)
            if item and (not item[2] or group_items == 0 or masculine_group):
                add_disposition(item[0], item[1], masculine=item[2])
                pending_heading = None
                last_text = line if item[1] else None
                continue
            if (group_items == 0 or numbered_group) and (match := _NUMBERED_ITEM.match(line)):
                add_disposition(int(match.group("number")), match.group("rest"), numeric=True)
                pending_heading = None
                last_text = line if match.group("rest") else None
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
    flush()
    for position, text_lines in heading_text.items():
        result.provisions[position].body = "\n".join(text_lines).strip()
    result.preamble = "\n".join(preamble).strip()
    errors = [
        _duplicate_message(seen_keys[key], numbers)
        for key, numbers in key_lines.items()
        if len(numbers) > 1
    ]
    if not result.commentable:
        errors.insert(
            0,
            _(
                "No articles were found. Each article must start on its own line "
                "with “Artículo 1.-” or “Art. 1.-”."
            ),
        )
    if errors:
        raise ParseError(_capped(errors))
    return result
