"""The ordinance parser on a corpus of layouts written for these tests (not copied from real
ordinances) in the style of Quito's Concejo Metropolitano.

Each tests/consultations/corpus/NN_name.txt has a sidecar NN_name.json with the exact sequence
of provisions expected (kind, key, label, heading) and how each body starts and ends. The
files are read as bytes, so the Word-pasted one keeps its CRLF, BOM and non-breaking spaces.
"""

import json
from pathlib import Path

import pytest

from consultations.parser import parse_ordinance

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*.txt"))


def read(name: str) -> str:
    return (CORPUS / name).read_bytes().decode("utf-8")


def test_the_corpus_has_every_layout():
    assert len(FILES) >= 11
    assert all(path.with_suffix(".json").exists() for path in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_corpus_file_parses_as_expected(path):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    result = parse_ordinance(path.read_bytes().decode("utf-8"))
    assert result.preamble.startswith(expected["preamble_starts"])
    assert result.preamble.endswith(expected["preamble_ends"])
    got = [(p.kind, p.key, p.label, p.heading) for p in result.provisions]
    want = [(p["kind"], p["key"], p["label"], p["heading"]) for p in expected["provisions"]]
    assert got == want
    for provision, spec in zip(result.provisions, expected["provisions"], strict=True):
        assert provision.body.startswith(spec["body_starts"]), provision.key
        assert provision.body.endswith(spec["body_ends"]), provision.key
        if not spec["body_starts"]:
            assert provision.body == "", provision.key
    assert len({p.key for p in result.provisions}) == len(result.provisions)


def test_the_word_file_really_is_a_word_paste():
    """Guard against an editor normalising the file (the corpus test would then prove less)."""
    raw = read("06_word_pegado.txt")
    for marker in ("\r\n", "\u00a0", "\t", "–", "—", "\ufeff", "\u000b", "\u00ad", "‑"):
        assert marker in raw, repr(marker)
    result = parse_ordinance(raw)
    assert "\u00a0" not in "".join(p.body + p.heading + p.label for p in result.provisions)
    assert "\r" not in result.preamble + "".join(p.body for p in result.provisions)
    art2 = next(p for p in result.provisions if p.key == "art-2")
    assert art2.body == "Se aplica en todo el Distrito\nMetropolitano de Quito."


def test_a_reform_keeps_the_articles_it_quotes_inside_its_single_article():
    result = parse_ordinance(read("04_reforma_articulo_unico.txt"))
    assert [p.key for p in result.commentable] == ["art-unico", "disp-final-unica"]
    body = result.provisions[0].body
    assert "“Art. 5.- Acreditación.-" in body
    assert "Art. 5.1.- Documentos.-" in body
    assert "“Artículo 12 bis.- Suplente.-" in body
    assert "DISPOSICIÓN TRANSITORIA\n\nLas solicitudes en trámite" in body
    # The law quoted in a considerando stays in the preamble.
    assert "Art. 77.- De la silla vacía" in result.preamble


def test_ordinal_articles_share_keys_with_numbered_ones():
    ordinals = parse_ordinance(read("02_ordinales.txt"))
    assert [p.key for p in ordinals.articles] == [f"art-{n}" for n in range(1, 23)]
    assert [p.label for p in ordinals.articles][12] == "Artículo 13"


def test_markdown_keeps_underscores_inside_words_and_drops_emphasis():
    result = parse_ordinance(read("05_markdown.txt"))
    art2 = next(p for p in result.provisions if p.key == "art-2")
    assert "`datos_abiertos.csv`" in art2.body
    bis = next(p for p in result.provisions if p.key == "art-3-bis")
    assert bis.heading == "Datos personales"
    assert "*" not in "".join(p.body + p.heading for p in result.provisions)


def test_the_titulo_named_disposiciones_generales_is_a_heading_not_a_group():
    result = parse_ordinance(read("07_disposiciones.txt"))
    first = result.provisions[0]
    assert (first.key, first.label, first.heading) == (
        "h-titulo-1",
        "TÍTULO I",
        "DISPOSICIONES GENERALES",
    )
    groups = [p.key for p in result.provisions if p.key.startswith("h-disposiciones-")]
    assert groups == [
        "h-disposiciones-general",
        "h-disposiciones-transitoria",
        "h-disposiciones-reformatoria",
        "h-disposiciones-derogatoria",
        "h-disposiciones-final",
    ]
    transitorias = [p for p in result.commentable if p.group == "transitoria"]
    assert [p.key for p in transitorias] == [f"disp-transitoria-{n}" for n in range(1, 22)]
    assert transitorias[-1].label == "Disposición transitoria vigésima primera"


def test_the_format_file_really_has_format_characters_and_foreign_digits():
    """Guard, as for the Word file: an editor could drop the invisible characters."""
    raw = read("11_comillas_y_formato.txt")
    for marker in ("\u200e", "\u202b", "\u202c", "\ufeff", "\u2066", "\u2069", "６", "\u0667"):
        assert marker in raw, repr(marker)
    result = parse_ordinance(raw)
    assert [p.key for p in result.articles] == [f"art-{n}" for n in range(1, 7)]
    # The stray quotation marks stay in the text they were typed in.
    assert result.articles[1].body.endswith("por el “Reglamento de Uso del Espacio Público.")
    assert "Art. 20.1.- Rampas." in result.articles[0].body


def test_the_wrapped_references_stay_in_their_articles():
    result = parse_ordinance(read("08_referencias_partidas.txt"))
    bodies = {p.key: p.body for p in result.provisions}
    assert bodies["art-2"] == (
        "Los recursos se presentan en los plazos previstos en el\n"
        "artículo 12. Los recursos fuera de plazo se inadmiten."
    )
    assert "según la\nDisposición Transitoria Primera. Además," in bodies["art-3"]
    assert "en el\nCapítulo II. Las multas" in bodies["art-4"]
    assert "conforme a la\ndisposición final. Las administraciones" in bodies["disp-transitoria-1"]
