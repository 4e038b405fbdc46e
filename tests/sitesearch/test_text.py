"""Excerpts and marks: escaped text, only our own <mark> elements are markup."""

from sitesearch import text


def test_fold_removes_case_and_accents():
    assert text.fold("PARTICIPACIÓN Señalización Ñandú") == "participacion senalizacion nandu"
    assert text.fold(None) == ""


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


def test_prefix_matcher_marks_words_of_the_same_stem():
    matches = text.prefix_matcher(["particip"])
    assert matches("Participativos") and matches("participación")
    assert not matches("parque")


def test_short_words_are_marked_only_when_nothing_longer_was_typed():
    assert not text.substring_matcher(["de", "parque"])("de")
    assert text.substring_matcher(["de"])("de")


def test_titles_are_escaped_whole():
    assert text.as_html('Parque "Norte" <b>&') == "Parque &quot;Norte&quot; &lt;b&gt;&amp;"
