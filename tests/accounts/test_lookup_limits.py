"""Whether a cédula is registered is what a look-up reveals, so look-ups are rate-limited:
five an hour per account (profile form) and twenty per address (profile and sign-up), with
a Spanish field error; refused look-ups never reach the uniqueness check. Display names
lose bidi control characters."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts import services
from accounts.cedula import cedula_hash
from accounts.models import Resident
from territory.models import Parish, Zone
from tests.factories import PASSWORD, ResidentFactory, UserFactory, valid_cedula

pytestmark = pytest.mark.django_db

LIMITED = "Ha consultado varias cédulas en poco tiempo"
TAKEN = "ya está vinculada a otra cuenta"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def cedulas(n, start=0):
    return [valid_cedula(f"17{start + i:07d}") for i in range(n)]


def profile_post(client, cedula, **extra):
    data = {"display_name": "Ana", "zone": "", "parish": "", "cedula": cedula} | extra
    return client.post("/cuenta/perfil/", data)


def test_profile_allows_five_lookups_an_hour_per_account(client, territory):
    taken = cedulas(1, start=500)[0]
    ResidentFactory(cedula_hash=cedula_hash(taken))
    client.force_login(UserFactory())
    # Typos do not count: they never reach the uniqueness check.
    for _ in range(6):
        assert "10 dígitos" in profile_post(client, "123").content.decode()
    pages = [profile_post(client, taken).content.decode() for _ in range(5)]
    assert all(TAKEN in page for page in pages)
    response = profile_post(client, taken)
    assert response.status_code == 200
    html = response.content.decode()
    assert LIMITED in html and TAKEN not in html  # the answer is withheld
    # A free cédula is refused too while the limit holds: nothing is saved.
    assert LIMITED in profile_post(client, cedulas(1, start=900)[0]).content.decode()
    stored = Resident.objects.exclude(cedula_hash=None).values_list("cedula_hash", flat=True)
    assert list(stored) == [cedula_hash(taken)]


def test_lookups_are_limited_per_address_across_accounts_and_sign_up(client, territory):
    numbers = iter(cedulas(30))
    for _ in range(4):
        client.force_login(UserFactory())
        for _ in range(5):
            assert LIMITED not in profile_post(client, next(numbers)).content.decode()
    client.force_login(UserFactory())
    assert LIMITED in profile_post(client, next(numbers)).content.decode()
    client.logout()
    data = {
        "email": "nueva@example.ec",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "zone": Zone.objects.get(slug="calderon").pk,
        "parish": Parish.objects.get(name="Llano Chico").pk,
        "cedula": next(numbers),
        "privacy_consent": "on",
    }
    response = client.post("/cuenta/signup/", data)
    assert response.status_code == 200
    assert LIMITED in response.content.decode()
    # From another address the same sign-up goes through.
    response = client.post("/cuenta/signup/", data, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302


# --- display names ------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(
    name=st.text(
        alphabet=st.one_of(st.sampled_from(BIDI), st.characters(exclude_categories=("Cs",))),
        max_size=40,
    )
)
def test_display_names_lose_bidi_controls(name):
    cleaned = services.clean_display_name(name)
    assert not set(cleaned) & set(BIDI)
    assert cleaned == "".join(ch for ch in name if ch not in BIDI).strip()


def test_sign_up_and_profile_store_names_without_bidi_controls(client, territory):
    resident = services.resident_register(
        user=UserFactory(), display_name="\u202eanA\u202c Pérez\u2066", privacy_consent=True
    )
    assert resident.display_name == "anA Pérez"
    services.resident_update_profile(
        resident=resident, display_name="\u200fLuz\u061c \u2067María", zone=None, parish=None
    )
    resident.refresh_from_db()
    assert resident.display_name == "Luz María"
    client.force_login(resident.user)
    profile_post(client, "", display_name="\u202dRosa\u202c")
    resident.refresh_from_db()
    assert resident.display_name == "Rosa"
