"""Home sections filled by later capabilities: an empty one is never shown."""

import pytest

from home import selectors
from home.demo import load_demo
from home.selectors import HomeSection

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(monkeypatch):
    registered = []
    monkeypatch.setattr(selectors, "SECTION_PROVIDERS", registered)
    return registered


def test_empty_section_is_not_rendered_and_a_full_one_is(client, territory, providers):
    load_demo()
    providers.append(lambda request: HomeSection(key="consultas", title="Consultas abiertas"))
    providers.append(
        lambda request: HomeSection(
            key="asambleas",
            title="Próximas asambleas",
            items=[
                {
                    "title": "Asamblea parroquial de Nono",
                    "url": "/asambleas/1/",
                    "meta": "12/12/2026",
                }
            ],
            more_url="/asambleas/",
        )
    )
    html = client.get("/").content.decode()
    assert "Consultas abiertas" not in html
    assert 'id="section-consultas"' not in html
    assert "Próximas asambleas" in html
    assert "Asamblea parroquial de Nono" in html
    assert 'href="/asambleas/"' in html
