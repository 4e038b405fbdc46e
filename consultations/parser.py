"""Parse a draft ordinance, pasted as plain text or Markdown, into provisions.

Quito's ordinances are structured in Títulos, Capítulos and Secciones (headings), Artículos
("Artículo 1.-", "Art. 2.-") and Disposiciones (generales, transitorias, reformatorias,
derogatorias, final) numbered with ordinals ("Primera.-", "Única.-"). Text before the first
heading or article (exposición de motivos, considerandos) is kept as the preamble.

Labels ("Artículo 3 bis", "Disposición transitoria primera") are part of the document, which
is in Spanish whatever the reader's language, so they are not translated.

`parse_ordinance` is a pure function: text in, `ParsedOrdinance` out, or `ParseError` with
messages a staff member can act on. It never raises anything else.
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
    level: int = 0  # for headings: 1 título, 2 capítulo, 3 sección
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


ORDINALS = {
    "primera": 1,
    "primero": 1,
    "segunda": 2,
    "segundo": 2,
    "tercera": 3,
    "tercero": 3,
    "cuarta": 4,
    "cuarto": 4,
    "quinta": 5,
    "quinto": 5,
    "sexta": 6,
    "sexto": 6,
    "septima": 7,
    "septimo": 7,
    "octava": 8,
    "octavo": 8,
    "novena": 9,
    "noveno": 9,
    "decima": 10,
    "decimo": 10,
    "undecima": 11,
    "decimoprimera": 11,
    "duodecima": 12,
    "decimosegunda": 12,
    "decimotercera": 13,
    "decimocuarta": 14,
    "decimoquinta": 15,
    "unica": 0,
    "unico": 0,
}
ORDINAL_NAMES = {value: name for name, value in ORDINALS.items() if name.endswith("a")}
HEADING_LEVELS = {"titulo": 1, "capitulo": 2, "seccion": 3, "parágrafo": 4, "paragrafo": 4}
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

_MARKDOWN_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+(?=\*|_))?")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)")
_ARTICLE = re.compile(
    r"^(?:art[ií]culo|art\.?)\s+(?P<number>\d{1,4})\s*(?P<suffix>bis|ter|quater)?"
    r"\s*(?:[.\-–—:º°]+\s*)+(?P<rest>.*)$",
    re.IGNORECASE,
)
_ARTICLE_UNICO = re.compile(
    r"^(?:art[ií]culo|art\.?)\s+[úu]nico\s*(?:[.\-–—:]+\s*)+(?P<rest>.*)$", re.IGNORECASE
)
_HEADING = re.compile(
    r"^(?P<kind>t[ií]tulo|cap[ií]tulo|secci[oó]n|par[aá]grafo)\s+"
    r"(?P<number>[IVXLC]+|\d+|[úu]nico|primero|segundo|tercero)\b\s*[.\-–—:]*\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_DISPOSITIONS = re.compile(
    r"^disposici[oó]n(?:es)?\s+(?P<group>generales?|transitorias?|derogatorias?|"
    r"reformatorias?|final(?:es)?)\s*[.:]*\s*$",
    re.IGNORECASE,
)
_ORDINAL_ITEM = re.compile(
    r"^(?P<ordinal>[a-záéíóúñ]+)\s*(?:[.\-–—:]+\s*)+(?P<rest>.*)$", re.IGNORECASE
)
_TITLE_SPLIT = re.compile(r"^(?P<title>[^.\n]{1,120}?)\s*\.\s*[-–—]\s*(?P<body>.*)$")


def _fold(text: str) -> str:
    """Lower case without accents, for matching keywords."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _clean_line(line: str) -> str:
    line = _MARKDOWN_PREFIX.sub("", line.rstrip())
    return _EMPHASIS.sub("", line).strip()


def _roman_or_int(value: str) -> str:
    return value.upper() if value.isalpha() else value


def _split_title(rest: str) -> tuple[str, str]:
    """'Objeto.- La presente…' -> ('Objeto', 'La presente…')."""
    match = _TITLE_SPLIT.match(rest)
    if match:
        return match.group("title").strip(), match.group("body").strip()
    return "", rest.strip()


def parse_ordinance(text: str) -> ParsedOrdinance:
    if not isinstance(text, str):
        raise ParseError([_("The draft must be text.")])
    if len(text) > MAX_TEXT_LENGTH:
        raise ParseError(
            [_("The draft is too long (at most %(max)d characters).") % {"max": MAX_TEXT_LENGTH}]
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    result = ParsedOrdinance()
    preamble: list[str] = []
    current: ParsedProvision | None = None
    body_lines: list[str] = []
    group: str | None = None
    errors: list[str] = []
    seen_keys: dict[str, str] = {}
    heading_counts: dict[str, int] = {}
    pending_heading: ParsedProvision | None = None

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

    for raw in text.split("\n"):
        line = _clean_line(raw)
        if not line:
            body_lines.append("")
            continue
        if match := _ARTICLE.match(line):
            group = None
            number = match.group("number").lstrip("0") or "0"
            suffix = (match.group("suffix") or "").lower()
            key = f"art-{number}" + (f"-{suffix}" if suffix else "")
            title, body = _split_title(match.group("rest"))
            label = f"Artículo {number} {suffix}".strip()
            add(ParsedProvision(kind="article", key=key, label=label, heading=title, body=body))
            continue
        if match := _ARTICLE_UNICO.match(line):
            group = None
            title, body = _split_title(match.group("rest"))
            add(
                ParsedProvision(
                    kind="article",
                    key="art-unico",
                    label="Artículo único",
                    heading=title,
                    body=body,
                )
            )
            continue
        if match := _DISPOSITIONS.match(line):
            group = DISPOSITION_GROUPS[_fold(match.group("group"))]
            flush()
            heading_key = f"h-disposiciones-{group}"
            if heading_key not in seen_keys:
                seen_keys[heading_key] = line
                result.provisions.append(
                    ParsedProvision(
                        kind="heading", key=heading_key, label=line.upper(), level=1, group=group
                    )
                )
            continue
        if group is not None and (match := _ORDINAL_ITEM.match(line)):
            ordinal = _fold(match.group("ordinal"))
            if ordinal in ORDINALS:
                number = ORDINALS[ordinal]
                suffix = "unica" if number == 0 else str(number)
                key = f"disp-{group}-{suffix}"
                title, body = _split_title(match.group("rest"))
                if not body and title:
                    title, body = "", match.group("rest").strip()
                label = f"Disposición {group} {match.group('ordinal').lower()}"
                add(
                    ParsedProvision(
                        kind="disposition",
                        key=key,
                        label=label,
                        heading=title,
                        body=body,
                        group=group,
                    )
                )
                continue
        if match := _HEADING.match(line):
            kind = _fold(match.group("kind"))
            level = HEADING_LEVELS.get(kind, 3)
            heading_counts[kind] = heading_counts.get(kind, 0) + 1
            number = _roman_or_int(match.group("number"))
            key = f"h-{kind}-{heading_counts[kind]}"
            flush()
            name = match.group("rest").strip()
            result.provisions.append(
                ParsedProvision(
                    kind="heading",
                    key=key,
                    label=f"{match.group('kind').upper()} {number}",
                    heading=name,
                    level=level,
                )
            )
            current = None
            # The heading's name is often on the next line ("TÍTULO I\nDE LA PARTICIPACIÓN").
            pending_heading = result.provisions[-1] if not name else None
            continue
        if pending_heading is not None and current is None and line.isupper():
            pending_heading.heading = line
            pending_heading = None
            continue
        pending_heading = None
        if current is None:
            if group is not None:
                # A disposition group with text but no ordinal ("DISPOSICIÓN FINAL\nEsta
                # ordenanza entrará en vigencia…") is its sole provision.
                add(
                    ParsedProvision(
                        kind="disposition",
                        key=f"disp-{group}-unica",
                        label=f"Disposición {group}",
                        group=group,
                    )
                )
                body_lines.append(line)
                continue
            if not any(p.kind != "heading" for p in result.provisions) and not result.provisions:
                preamble.append(raw.strip())
                continue
            # Text between a heading and the first article: keep it with the preamble of
            # that heading rather than dropping it.
            if result.provisions and result.provisions[-1].kind == "heading":
                last = result.provisions[-1]
                last.body = (last.body + "\n" + line).strip()
                continue
            preamble.append(raw.strip())
            continue
        body_lines.append(line)
    flush()
    result.preamble = "\n".join(preamble).strip()
    if not result.articles and not result.commentable:
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
