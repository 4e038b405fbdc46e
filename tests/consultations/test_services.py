"""Versions of a draft, comments attached to articles across versions, who may comment."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts import services as account_services
from consultations import services
from consultations.models import ConsultationPage, DraftVersion
from consultations.rules import comment_refusal
from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.mfa import mark_user
from territory.models import Parish
from tests.consultations.helpers import ORDINANCE
from tests.factories import ResidentFactory, UserFactory, with_mfa

pytestmark = pytest.mark.django_db


def publish_text(page, text):
    page.draft_text = text
    page.save_revision().publish()
    return ConsultationPage.objects.get(pk=page.pk)


def test_publishing_creates_version_one_with_threads(consultation):
    version = consultation.versions.get()
    assert version.number == 1
    keys = list(version.provisions.values_list("key", flat=True))
    assert keys[:2] == ["h-titulo-1", "art-1"]
    assert "disp-transitoria-1" in keys
    assert not version.provisions.get(key="h-titulo-1").thread
    assert version.provisions.get(key="art-1").thread
    assert consultation.general_thread is not None


def test_republishing_the_same_text_creates_no_version(consultation):
    publish_text(consultation, consultation.draft_text)
    assert consultation.versions.count() == 1


def test_new_version_keeps_threads_by_article_and_old_text(consultation, resident):
    comment = services.consultation_comment(
        consultation=consultation,
        user=resident,
        body="Muy bien",
        stance="favor",
        provision_key="art-3",
    )
    assert comment.revision == 1
    page = publish_text(
        consultation, ORDINANCE.replace("cuatro representantes", "cinco representantes")
    )
    v1, v2 = DraftVersion.objects.filter(consultation=page).order_by("number")
    assert v2.number == 2
    assert v1.provisions.get(key="art-3").body.endswith("cuatro representantes.")
    assert v2.provisions.get(key="art-3").body.endswith("cinco representantes.")
    assert v1.provisions.get(key="art-3").thread_id == v2.provisions.get(key="art-3").thread_id
    later = services.consultation_comment(
        consultation=page,
        user=resident,
        body="Ahora mejor",
        stance="favor",
        provision_key="art-3",
    )
    assert later.revision == 2


def test_unparseable_text_cannot_be_published(consultation):
    from django.core.exceptions import ValidationError

    consultation.draft_text = "Sin artículos"
    with pytest.raises(ValidationError):
        consultation.full_clean()


def test_unknown_article_is_refused(consultation, resident):
    with pytest.raises(DomainError):
        services.consultation_comment(
            consultation=consultation,
            user=resident,
            body="x",
            stance="favor",
            provision_key="art-99",
        )


@pytest.mark.parametrize(
    ("case", "allowed"),
    [
        ("anonymous", False),
        ("unverified_email", False),
        ("resident", True),
        ("upcoming", False),
        ("closed", False),
        ("residency_required_unverified", False),
        ("residency_required_other_zone", False),
        ("residency_required_verified_same_zone", True),
    ],
)
def test_who_may_comment_matrix(zonal_consultation, territory, case, allowed):
    page = zonal_consultation
    now = timezone.now()
    user = ResidentFactory(
        zone=Parish.objects.get(name="Llano Chico").zone,
        parish=Parish.objects.get(name="Llano Chico"),
    ).user
    staff = with_mfa(UserFactory(is_superuser=True))
    mark_user(staff, True)
    if case == "anonymous":
        user = AnonymousUser()
    elif case == "unverified_email":
        user = UserFactory(verified_email=False)
    elif case == "upcoming":
        page.opens_at = now + datetime.timedelta(days=1)
    elif case == "closed":
        page.closes_at = now - datetime.timedelta(seconds=1)
    elif case.startswith("residency_required"):
        page.requires_verified_residency = True
        if case == "residency_required_other_zone":
            cumbaya = Parish.objects.get(name="Cumbayá")
            user = ResidentFactory(zone=cumbaya.zone, parish=cumbaya).user
            account_services.resident_verify(
                resident=user.resident, actor=staff, document_kind="cedula", reason="Vista"
            )
        elif case == "residency_required_verified_same_zone":
            account_services.resident_verify(
                resident=user.resident, actor=staff, document_kind="cedula", reason="Vista"
            )
    assert rulebook.allowed(user, "consultations.comment", page) is allowed
    if not allowed:
        assert comment_refusal(user, page)
        if not isinstance(user, AnonymousUser):
            with pytest.raises(PermissionDenied):
                services.consultation_comment(
                    consultation=page, user=user, body="Hola", stance="favor", provision_key="art-1"
                )


def test_observation_needs_zone_staff_and_known_article(zonal_consultation):
    from consultations.models import InPersonSession

    session = InPersonSession.objects.create(
        consultation=zonal_consultation,
        held_on=datetime.date(2026, 11, 1),
        place="Casa",
        attendees=10,
    )
    with pytest.raises(PermissionDenied):
        services.observation_record(session=session, actor=UserFactory(), text="x")
    staff = with_mfa(UserFactory(is_superuser=True))
    with pytest.raises(DomainError):
        services.observation_record(session=session, actor=staff, text="x", provision_key="art-9")
    observation = services.observation_record(
        session=session, actor=staff, text="Bien", provision_key="art-1", stance="favor"
    )
    assert observation.recorded_by == staff
