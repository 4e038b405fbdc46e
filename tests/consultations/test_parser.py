"""The ordinance parser: realistic Quito text, variants, errors, and properties."""

import contextlib

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.parser import ParseError, parse_ordinance

QUITO_TEXT = """ORDENANZA METROPOLITANA No. 045-2026

EXPOSICIÓN DE MOTIVOS
La Constitución reconoce el derecho a participar.

EL CONCEJO METROPOLITANO DE QUITO
Considerando:
Que, el artículo 95 de la Constitución de la República...
Expide la siguiente:

TÍTULO I
DEL SISTEMA DE PARTICIPACIÓN

CAPÍTULO I
OBJETO Y ÁMBITO

Sección I
Principios

Artículo 1.- Objeto.- La presente ordenanza regula el sistema.
Art. 2.- Ámbito.- Se aplica en todo el Distrito Metropolitano de Quito,
incluidas sus parroquias rurales.

CAPÍTULO II
DE LAS ASAMBLEAS
Artículo 3.- Las asambleas barriales eligen cuatro representantes:
a) por votación directa;
b) con paridad.
Art. 3 bis.- Asambleas virtuales.- Podrán seguirse en línea.

DISPOSICIONES GENERALES
Primera.- La Secretaría velará por su cumplimiento.
SEGUNDA.- Los datos personales se tratarán conforme a la LOPDP.

DISPOSICIONES TRANSITORIAS
Primera.- En noventa días se expedirá el reglamento.

DISPOSICIÓN DEROGATORIA
Única.- Deróguese la Ordenanza Metropolitana No. 102.

DISPOSICIÓN FINAL
Esta ordenanza entrará en vigencia a partir de su publicación.
"""


def keys(result):
    return [p.key for p in result.provisions]


def test_realistic_quito_ordinance():
    result = parse_ordinance(QUITO_TEXT)
    assert result.preamble.startswith("ORDENANZA METROPOLITANA No. 045-2026")
    assert "Considerando" in result.preamble
    assert [p.key for p in result.articles] == ["art-1", "art-2", "art-3", "art-3-bis"]
    assert [p.key for p in result.commentable if p.kind == "disposition"] == [
        "disp-general-1",
        "disp-general-2",
        "disp-transitoria-1",
        "disp-derogatoria-unica",
        "disp-final-unica",
    ]
    art2 = next(p for p in result.provisions if p.key == "art-2")
    assert (art2.label, art2.heading) == ("Artículo 2", "Ámbito")
    assert art2.body == (
        "Se aplica en todo el Distrito Metropolitano de Quito,\nincluidas sus parroquias rurales."
    )
    art3 = next(p for p in result.provisions if p.key == "art-3")
    assert art3.heading == ""
    assert "b) con paridad." in art3.body
    headings = [
        (p.label, p.heading, p.level) for p in result.provisions if p.kind == "heading" and p.level
    ]
    assert ("TÍTULO I", "DEL SISTEMA DE PARTICIPACIÓN", 1) in headings
    assert ("CAPÍTULO II", "DE LAS ASAMBLEAS", 2) in headings
    assert ("SECCIÓN I", "", 3) in headings or ("SECCIÓN I", "Principios", 3) in headings
    final = next(p for p in result.provisions if p.key == "disp-final-unica")
    assert final.body == "Esta ordenanza entrará en vigencia a partir de su publicación."


def test_markdown_input():
    text = (
        "# Ordenanza\n\n## CAPÍTULO I\n\n**Artículo 1.-** **Objeto.-** Regular.\n\n"
        "**Art. 2.-** Todo lo demás.\n"
    )
    result = parse_ordinance(text)
    assert [(p.key, p.heading, p.body) for p in result.articles] == [
        ("art-1", "Objeto", "Regular."),
        ("art-2", "", "Todo lo demás."),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Artículo 7.- Texto.",
        "Art. 7.- Texto.",
        "ARTÍCULO 7.- Texto.",
        "Articulo 7. Texto.",
        "Art 7 - Texto.",
        "Artículo 7: Texto.",
    ],
)
def test_article_header_variants(line):
    assert [p.key for p in parse_ordinance(line).articles] == ["art-7"]


def test_no_articles_is_a_clear_error():
    with pytest.raises(ParseError) as excinfo:
        parse_ordinance("Un texto cualquiera sin estructura.\nOtra línea.")
    assert "No se encontraron artículos" in excinfo.value.messages[0]


def test_duplicated_article_numbers_are_reported_with_their_lines():
    # English msgids: the Spanish catalogue is compiled separately (see notes/tr).
    with translation.override("en"), pytest.raises(ParseError) as excinfo:
        parse_ordinance("Artículo 1.- Uno.\nArtículo 2.- Dos.\n\nArt. 2.- Otra vez.")
    assert excinfo.value.messages == [
        "Artículo 2 appears twice (lines 2 and 4). Number every provision once."
    ]


def test_non_text_and_huge_input_are_rejected_cleanly():
    with pytest.raises(ParseError):
        parse_ordinance(None)
    with pytest.raises(ParseError):
        parse_ordinance("Artículo 1.- x\n" * 40_000)


words = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúñ ,;", min_size=1, max_size=60)
    .map(str.strip)
    .filter(lambda s: s and s[0].isalpha())
)


@st.composite
def ordinances(draw):
    numbers = draw(st.lists(st.integers(1, 300), min_size=1, max_size=25, unique=True))
    articles = [(n, draw(words), draw(words)) for n in sorted(numbers)]
    lines = []
    for n, title, body in articles:
        header = draw(st.sampled_from(["Artículo", "Art.", "ARTÍCULO"]))
        lines.append(f"{header} {n}.- {title.capitalize()}.- {body}")
    return "\n".join(lines), articles


@settings(max_examples=150)
@given(ordinances())
def test_round_trip_property(case):
    text, articles = case
    result = parse_ordinance(text)
    assert [p.key for p in result.articles] == [f"art-{n}" for n, _t, _b in articles]
    assert [p.body for p in result.articles] == [body for _n, _t, body in articles]


@settings(max_examples=300)
@given(st.text(max_size=400))
def test_never_crashes_on_arbitrary_text(text):
    try:
        result = parse_ordinance(text)
    except ParseError as error:
        assert error.messages
    else:
        assert result.commentable
        assert len({p.key for p in result.provisions}) == len(result.provisions)


# --- Layouts read since #13 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "key", "label"),
    [
        ("Art. 1 Texto sin puntuación.\nArt. 1", "art-1", "Artículo 1"),
        ("Art 1.- Texto.", "art-1", "Artículo 1"),
        ("Art. 1: Texto.", "art-1", "Artículo 1"),
        ("ART. 1.- Texto.", "art-1", "Artículo 1"),
        ("Art.1.- Texto.", "art-1", "Artículo 1"),
        ("Artículo 1° Texto.", "art-1", "Artículo 1"),
        ("Artículo 1º.- Texto.", "art-1", "Artículo 1"),
        ("Artículo 1.º- Texto.", "art-1", "Artículo 1"),
        ("Art. 01.- Texto.", "art-1", "Artículo 1"),
        ("Art. 1.– Texto.", "art-1", "Artículo 1"),
        ("Art. 1.— Texto.", "art-1", "Artículo 1"),
        ("ARTÍCULO PRIMERO.- Texto.", "art-1", "Artículo 1"),
        ("Artículo primera.- Texto.", "art-1", "Artículo 1"),
        ("Artículo segundo\nTexto.", "art-2", "Artículo 2"),
        ("Artículo Décimo Tercero.- Texto.", "art-13", "Artículo 13"),
        ("ARTÍCULO DECIMOTERCERO.- Texto.", "art-13", "Artículo 13"),
        ("Artículo decimo-tercero.- Texto.", "art-13", "Artículo 13"),
        ("Artículo Undécimo.- Texto.", "art-11", "Artículo 11"),
        ("Artículo décimo primero.- Texto.", "art-11", "Artículo 11"),
        ("Artículo duodécimo.- Texto.", "art-12", "Artículo 12"),
        ("Artículo vigésimo primero.- Texto.", "art-21", "Artículo 21"),
        ("Artículo vigesimoprimera.- Texto.", "art-21", "Artículo 21"),
        ("Artículo Trigésimo.- Texto.", "art-30", "Artículo 30"),
        ("Artículo nonagésimo noveno.- Texto.", "art-99", "Artículo 99"),
        ("Artículo Único.- Texto.", "art-unico", "Artículo único"),
        ("ARTÍCULO UNICO\nTexto.", "art-unico", "Artículo único"),
        ("Artículo 5 bis.- Texto.", "art-5-bis", "Artículo 5 bis"),
        ("Art. 5-bis.- Texto.", "art-5-bis", "Artículo 5 bis"),
        ("Art. 5bis.- Texto.", "art-5-bis", "Artículo 5 bis"),
        ("Art. 5 BIS: Texto.", "art-5-bis", "Artículo 5 bis"),
        ("Art. 5. ter.- Texto.", "art-5-ter", "Artículo 5 ter"),
        ("Artículo 5 quáter.- Texto.", "art-5-quater", "Artículo 5 quáter"),
        ("Artículo 5 quater.- Texto.", "art-5-quater", "Artículo 5 quáter"),
        ("Artículo 5 quinquies.- Texto.", "art-5-quinquies", "Artículo 5 quinquies"),
        ("Artículo 5.1.- Texto.", "art-5-1", "Artículo 5.1"),
        ("Art. 5.1.2.- Texto.", "art-5-1-2", "Artículo 5.1.2"),
        ("**Artículo 3.-** Texto.", "art-3", "Artículo 3"),
        ("## Artículo 3.- Texto.", "art-3", "Artículo 3"),
        ("Artículo 3\\.- Texto.", "art-3", "Artículo 3"),
        ("Arti\u0301culo 3.- Texto en NFD.", "art-3", "Artículo 3"),
    ],
)
def test_more_article_header_variants(line, key, label):
    articles = parse_ordinance(line).articles
    assert [(p.key, p.label) for p in articles][-1:] == [(key, label)]


@pytest.mark.parametrize(
    "line",
    [
        "Artículo 5 de la Constitución establece el derecho.",
        "Artículos 5 y 6.- Texto.",
        "Arte 5.- Texto.",
        "Artículo primero de la ley",
        "Art. 5 Terminación.- Texto.",
    ],
)
def test_text_that_only_mentions_an_article_is_not_a_header(line):
    text = "Artículo 1.- Primero.\n" + line
    assert [p.key for p in parse_ordinance(text).articles] == ["art-1"]


@pytest.mark.parametrize(
    ("text", "heading", "body"),
    [
        (
            "Artículo 1.-\nObjeto.-\nLa presente ordenanza regula.",
            "Objeto",
            "La presente ordenanza regula.",
        ),
        (
            "Artículo 1.\nObjeto\nLa presente ordenanza regula.",
            "Objeto",
            "La presente ordenanza regula.",
        ),
        (
            "Artículo 1.-\nObjeto.- La presente ordenanza regula.",
            "Objeto",
            "La presente ordenanza regula.",
        ),
        ("ARTÍCULO PRIMERO.-\nOBJETO.-\nLa presente.", "OBJETO", "La presente."),
        ("ARTÍCULO 1.- OBJETO\nLa presente.", "OBJETO", "La presente."),
        ("**Artículo 1. Objeto**\n\nLa presente.", "Objeto", "La presente."),
        # A wrapped first sentence is not a title: its next line starts in lower case.
        (
            "Artículo 1.-\nLa presente ordenanza regula el sistema\nde participación.",
            "",
            "La presente ordenanza regula el sistema\nde participación.",
        ),
        ("Artículo 1.-\nSe deroga.\nArtículo 2.- Otro.", "", "Se deroga."),
        ("Artículo 1.-\nSon fines:\nA) uno.", "", "Son fines:\nA) uno."),
    ],
)
def test_title_on_the_next_line(text, heading, body):
    first = parse_ordinance(text).articles[0]
    assert (first.heading, first.body) == (heading, body)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("DISPOSICIÓN GENERAL\nÚnica.- x", ["h-disposiciones-general", "disp-general-unica"]),
        ("DISPOSICIONES GENERALES.-\nPrimera.- x", ["h-disposiciones-general", "disp-general-1"]),
        (
            "DISPOSICIÓN TRANSITORIA ÚNICA.- x",
            ["h-disposiciones-transitoria", "disp-transitoria-unica"],
        ),
        (
            "Disposición General Primera.- x\nDisposición General Segunda.- y",
            ["h-disposiciones-general", "disp-general-1", "disp-general-2"],
        ),
        (
            "DISPOSICIONES TRANSITORIAS\nPRIMERA\nx",
            ["h-disposiciones-transitoria", "disp-transitoria-1"],
        ),
        (
            "DISPOSICIONES TRANSITORIAS\nPrimera: x",
            ["h-disposiciones-transitoria", "disp-transitoria-1"],
        ),
        (
            "DISPOSICIONES TRANSITORIAS\nVigésima Primera.- x",
            ["h-disposiciones-transitoria", "disp-transitoria-21"],
        ),
        (
            "DISPOSICIONES TRANSITORIAS\nTRIGÉSIMA.- x",
            ["h-disposiciones-transitoria", "disp-transitoria-30"],
        ),
        ("DISPOSICIÓN DEROGATORIA\nx", ["h-disposiciones-derogatoria", "disp-derogatoria-unica"]),
        (
            "DISPOSICIONES DEROGATORIAS\nPrimera.- x",
            ["h-disposiciones-derogatoria", "disp-derogatoria-1"],
        ),
        (
            "DISPOSICIÓN REFORMATORIA\nÚnica.- x",
            ["h-disposiciones-reformatoria", "disp-reformatoria-unica"],
        ),
        (
            "DISPOSICIONES REFORMATORIAS\n1.- x\n2.- y",
            ["h-disposiciones-reformatoria", "disp-reformatoria-1", "disp-reformatoria-2"],
        ),
        ("DISPOSICIONES FINALES\nPrimera.- x", ["h-disposiciones-final", "disp-final-1"]),
        ("DISPOSICIÓN FINAL.- Entra en vigencia.", ["h-disposiciones-final", "disp-final-unica"]),
        (
            "## DISPOSICIONES TRANSITORIAS\n**PRIMERA.-** x",
            ["h-disposiciones-transitoria", "disp-transitoria-1"],
        ),
        # "1." inside an ordinal disposition is a list item, not a new disposition.
        (
            "DISPOSICIONES GENERALES\nPrimera.- Se dispone:\n1.- uno\n2.- dos",
            ["h-disposiciones-general", "disp-general-1"],
        ),
    ],
)
def test_disposition_layouts(text, keys):
    assert [p.key for p in parse_ordinance(text).provisions] == keys


def test_disposition_labels_use_the_ordinal_whatever_the_spelling():
    text = "DISPOSICIONES TRANSITORIAS\nDECIMOTERCERA.- x\nDécima cuarta.- y\n15.- z"
    result = parse_ordinance(text)
    assert [p.label for p in result.commentable] == [
        "Disposición transitoria décima tercera",
        "Disposición transitoria décima cuarta",
    ]
    assert result.commentable[-1].body == "y\n15.- z"


@pytest.mark.parametrize(
    ("text", "label", "name", "level"),
    [
        ("TÍTULO I\nDE LA PARTICIPACIÓN", "TÍTULO I", "DE LA PARTICIPACIÓN", 1),
        ("TÍTULO II.- DE LA PARTICIPACIÓN", "TÍTULO II", "DE LA PARTICIPACIÓN", 1),
        ("CAPÍTULO PRIMERO\nDEL OBJETO", "CAPÍTULO PRIMERO", "DEL OBJETO", 2),
        (
            "CAPÍTULO DÉCIMO PRIMERO: DE LAS SANCIONES",
            "CAPÍTULO DÉCIMO PRIMERO",
            "DE LAS SANCIONES",
            2,
        ),
        ("Capítulo III De las asambleas", "CAPÍTULO III", "De las asambleas", 2),
        ("Sección 2\nDe la compensación", "SECCIÓN 2", "De la compensación", 3),
        ("PARÁGRAFO ÚNICO", "PARÁGRAFO ÚNICO", "", 4),
        ("LIBRO II\nDEL AMBIENTE", "LIBRO II", "DEL AMBIENTE", 1),
        ("TÍTULO PRELIMINAR", "TÍTULO PRELIMINAR", "", 1),
        ("### CAPÍTULO IV — DE LOS DATOS", "CAPÍTULO IV", "DE LOS DATOS", 2),
    ],
)
def test_heading_layouts(text, label, name, level):
    first = parse_ordinance(text + "\nArtículo 1.- x").provisions[0]
    assert (first.kind, first.label, first.heading, first.level) == ("heading", label, name, level)


def test_a_paragraph_mentioning_a_chapter_is_not_a_heading():
    result = parse_ordinance("Artículo 1.- Según el\nCapítulo II de la ley vigente.")
    assert [p.kind for p in result.provisions] == ["article"]


def test_ordinal_table_reads_every_number_to_99():
    from consultations.parser import ORDINALS, ordinal_name

    assert ordinal_name(0) == "única"
    for number in range(1, 100):
        name = ordinal_name(number)
        for spelling in (name, name.replace(" ", ""), name.upper(), name[:-1] + "o"):
            folded = spelling.lower().replace(" ", "").translate(str.maketrans("áéíóú", "aeiou"))
            assert ORDINALS[folded] == number, spelling


def test_duplicate_ordinal_and_numeric_article_is_an_error():
    with pytest.raises(ParseError) as excinfo:
        parse_ordinance("ARTÍCULO PRIMERO.- Uno.\nArtículo 1.- Otra vez.")
    assert any("Artículo 1" in message for message in excinfo.value.messages)


def test_an_unclosed_quotation_does_not_hide_the_rest():
    text = "Artículo 1.- Dice “algo.\nArtículo 2.- Dos."
    assert [p.key for p in parse_ordinance(text).articles] == ["art-1", "art-2"]


def test_a_400_kb_draft_parses():
    """No timing assertion: this must simply finish (the patterns do not backtrack)."""
    line = "La presente disposición regula algo importante con detalle. " * 5
    text = "\n".join(f"Artículo {n}.- Título {n}.- {line}" for n in range(1, 1300))
    assert len(text) > 400_000
    assert len(parse_ordinance(text).articles) == 1299
    for hostile in (
        "Artículo " * 44_000,
        "Artículo 1.- " + "*_" * 195_000,
        "Artículo 1" + ".-" * 195_000,
        "Art. 1.- " + "a" * 119 + " " * 300_000 + ".- x",
        "TÍTULO I\n" + "Texto sin artículos que se acumula.\n" * 10_000 + "Artículo 1.- x",
        "DISPOSICIONES GENERALES\n" + "primera segunda " * 24_000,
        "Artículo 1.- “" + "\n“Art. 2.- x" * 30_000,
    ):
        with contextlib.suppress(ParseError):
            parse_ordinance(hostile)


fragments = st.sampled_from(
    [
        "Artículo",
        "Art.",
        "ART",
        "1",
        "5",
        "12",
        ".-",
        ".",
        ":",
        "–",
        "—",
        "°",
        "º",
        " ",
        "bis",
        "ter",
        "quáter",
        "primero",
        "Décimo",
        "vigésima",
        "única",
        "Única",
        "TÍTULO",
        "CAPÍTULO",
        "I",
        "IV",
        "DISPOSICIÓN",
        "DISPOSICIONES",
        "GENERAL",
        "transitorias",
        "FINAL",
        "Primera",
        "1.-",
        "**",
        "_",
        "#",
        "> ",
        "“",
        "”",
        "«",
        "»",
        "\n",
        "\r\n",
        "\t",
        "\u00a0",
        "\u00ad",
        "\v",
        "Objeto",
        "texto",
        "x",
    ]
)


@settings(max_examples=400)
@given(st.lists(fragments, max_size=60).map("".join))
def test_never_crashes_on_structure_like_text(text):
    try:
        result = parse_ordinance(text)
    except ParseError as error:
        assert error.messages
    else:
        assert result.commentable
        keys = [p.key for p in result.provisions]
        assert len(set(keys)) == len(keys)
        assert all(len(key) <= 60 and key.replace("-", "").isalnum() for key in keys)


# --- Review fixes: no quadratic backtracking ---------------------------------------------------

SPACES = " " * 499_000


@pytest.mark.parametrize(
    "text",
    [
        "Artículo 1" + SPACES + "b",
        "Artículo" + SPACES + "b",
        "Artículo 1." + SPACES + "b",
        "DISPOSICIONES GENERALES\n1" + SPACES + "x",
        "DISPOSICIONES GENERALES\n1." + SPACES + "x",
        "Artículo 1.- Objeto" + SPACES + "x",
        "TÍTULO I" + SPACES + "x",
        "Artículo 1.-\n" + "Objeto" + SPACES + "x",
        "Artículo 1.- a\nPRIMERA" + SPACES + "x",
    ],
    ids=range(9),
)
def test_a_499k_space_run_in_any_position_finishes(text):
    # No timing assertion: before the fix some of these ran for minutes.
    with contextlib.suppress(ParseError):
        parse_ordinance(text)


def test_the_patterns_themselves_are_linear_on_space_runs():
    """Even without the space collapsing in line cleaning, the patterns do not backtrack."""
    from consultations import parser

    run = " " * 499_000
    assert parser._DEGREE.match("1" + run + "b", 1) is None
    assert parser._NUMBERED_ITEM.match("1" + run + "x") is None
    assert parser._TITLE_SPLIT.match("Objeto" + run + "x") is None
    assert parser._ARTICLE_WORD.match("Artículo" + run + "b")
    assert parser._HEADING_TAIL.match("I" + run + "x", 1).group("rest") == "x"
    assert parser._DEGREE.match("1 . º", 1) and parser._NUMBERED_ITEM.match("2 . - x")
