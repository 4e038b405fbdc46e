"""The ordinance parser: realistic Quito text, variants, errors, and properties."""

import pytest
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


def test_duplicated_article_numbers_are_reported():
    with pytest.raises(ParseError) as excinfo:
        parse_ordinance("Artículo 1.- Uno.\nArtículo 2.- Dos.\nArt. 2.- Otra vez.")
    assert any(
        "Artículo 2" in message and "dos veces" in message for message in excinfo.value.messages
    )


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
