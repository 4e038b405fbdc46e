"""The public register of processing activities (/privacidad/registro/): complete (every
table that holds personal data is named by an activity), its retention periods read from
the settings that enforce them, a semantic table, linked from every page's footer."""

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Resident
from privacy import register

URL = "/privacidad/registro/"


def _personal_models() -> dict[str, list[str]]:
    """Every model with a foreign key (or one-to-one) of its own to the user or the
    resident profile, or a field holding a keyed hash of a cédula: label -> those fields."""
    user_model = get_user_model()
    found = {}
    for model in apps.get_models():
        fields = []
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.model is not model:
                continue  # reverse relations, and fields inherited from a parent table
            to_a_person = field.is_relation and field.related_model in (user_model, Resident)
            with translation.override("en"):
                label = str(getattr(field, "verbose_name", ""))
            if to_a_person or "cedula" in field.name or "cédula" in label:
                fields.append(field.name)
        if fields:
            found[model._meta.label] = fields
    return found


def test_every_model_holding_personal_data_is_named_by_an_activity():
    named = register.named_models()
    missing = {label: fields for label, fields in _personal_models().items() if label not in named}
    assert not missing, (
        f"Personal data not in the register of processing activities (privacy/register.py): "
        f"{missing}"
    )


def test_the_introspection_sees_what_it_must():
    found = _personal_models()
    for label in ("accounts.Resident", "accounts.Consent", "discussions.Comment", "budgets.Ballot"):
        assert label in found, label
    assert "cedula_hash" in found["accounts.Resident"]


def test_every_model_the_register_names_exists():
    for label in register.named_models():
        assert apps.get_model(label), label


def test_each_activity_is_complete_and_uses_a_legal_basis_of_article_7():
    bases = {
        str(register.LegalBasis.CONSENT),
        str(register.LegalBasis.LEGAL_OBLIGATION),
        str(register.LegalBasis.PUBLIC_MISSION),
    }
    keys = [item.key for item in register.ACTIVITIES]
    assert len(keys) == len(set(keys))
    for item in register.ACTIVITIES:
        assert item.name and item.data and item.purpose and item.access and item.recipients
        assert item.retention and item.models, item.key
        assert item.legal_basis and {str(b) for b in item.legal_basis} <= bases, item.key
        assert all(text and "%(" not in text for text in item.retention_text()), item.key


@pytest.mark.django_db
@override_settings(ACCOUNT_DELETION_GRACE_DAYS=21, UNCONFIRMED_ACCOUNT_DAYS=45, DATA_EXPORT_DAYS=9)
def test_the_page_renders_the_retention_periods_from_the_settings(client, territory):
    from accounts.verification import VALIDITY

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    retention = " ".join(
        cell.get_text(" ", strip=True) for cell in soup.select('td[data-column="retention"]')
    )
    assert "erased 21 days after" in retention
    assert "after 45 days" in retention
    assert "available for 9 days" in retention
    assert f"{VALIDITY['code'].days} days through a code" in retention
    text = soup.get_text(" ", strip=True)
    assert "Municipio del Distrito Metropolitano de Quito" in text
    assert soup.select_one('a[href="/cuenta/mis-datos/"]') is not None


@pytest.mark.django_db
def test_the_table_is_semantic_and_stacks_on_phones(client, territory):
    soup = BeautifulSoup(client.get(URL).content, "html.parser")
    region = soup.select_one('div.table-scroll[role="region"][tabindex="0"]')
    table = region.select_one("table.data.stack")
    caption = table.select_one("caption")
    assert caption is not None and region["aria-labelledby"] == caption["id"]
    assert len(table.select('thead th[scope="col"]')) == 7
    rows = table.select("tbody tr")
    assert len(rows) == len(register.ACTIVITIES)
    for row in rows:
        assert row.select_one('th[scope="row"]') is not None
        cells = row.select("td")
        assert len(cells) == 6 and all(cell.get("data-label") for cell in cells)


@pytest.mark.django_db
def test_the_page_is_public_cheap_and_linked_from_the_footer(client, territory):
    client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 3, [q["sql"] for q in ctx.captured_queries]
    footer = BeautifulSoup(client.get("/obras/").content, "html.parser").select_one("footer")
    assert footer.select_one(f'a[href="{URL}"]') is not None
    assert client.post(URL).status_code == 405
