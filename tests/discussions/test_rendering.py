"""User text is escaped, links are clickable and marked nofollow ugc noopener."""

from hypothesis import given
from hypothesis import strategies as st

from discussions.templatetags.discussions import user_text


def test_links_and_escaping():
    html = user_text('Vea https://quito.gob.ec y <script>alert(1)</script> & "citas"')
    assert '<a rel="nofollow ugc noopener" href="https://quito.gob.ec">' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@given(st.text(max_size=300))
def test_no_user_html_survives(text):
    html = user_text(text)
    stripped = (
        html.replace("<p>", "")
        .replace("</p>", "")
        .replace("<br>", "")
        .replace('<a rel="nofollow ugc noopener" href="', "")
        .replace("</a>", "")
    )
    assert "<script" not in stripped.lower()
    assert "<img" not in stripped.lower()
