"""Consent to the privacy policy: the re-prompt when its version changes (refused with the
way to the acceptance page, accepts, then may), every acceptance recorded with its version
and time, withdrawal (refused again, recorded; accepting again is a new row), the
acceptance page's safe `next` and field error, the banner's query budget, and the rule
book: every participation action refuses a person without the current consent, and no
staff action cares."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import iri_to_uri
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Consent
from discussions.models import Comment
from privacy import consent
from quitodecide import rulebook
from quitodecide.rulebook import RefusalKind
from territory.models import Parish
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory, UserFactory
from tests.test_rulebook_matrix import BUILDERS, OWN, make_role

pytestmark = pytest.mark.django_db

NEW = "2027-01"
ACCEPT = "/cuenta/mis-datos/consentimiento/aceptar/"
WITHDRAW = "/cuenta/mis-datos/consentimiento/retirar/"
PARTICIPATION = sorted(name for name, a in rulebook.ACTIONS.items() if a.participation)
STAFF_ACTIONS = sorted(name for name, a in rulebook.ACTIONS.items() if a.staff)


@pytest.fixture
def resident(territory):
    parish = Parish.objects.get(name="Llano Chico")
    return ResidentFactory(zone=parish.zone, parish=parish).user


@pytest.fixture
def consultation(territory):
    return make_consultation()


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def fresh(user):
    """The same person as a new request sees them (no cached consent status)."""
    return type(user).objects.get(pk=user.pk)


def comment(client, consultation, body="Propongo paridad"):
    return client.post(
        consultation.url + "comentar/", {"body": body, "stance": "favor", "provision": "art-3"}
    )


# --- the registry and the rule --------------------------------------------------------------


def test_the_current_version_is_in_the_registry_with_what_changed():
    current = consent.policy_version(settings.PRIVACY_POLICY_VERSION)
    assert current is not None and current.changes
    assert isinstance(current.effective_on, datetime.date)
    assert [v.version for v in consent.POLICY_VERSIONS] == sorted(
        v.version for v in consent.POLICY_VERSIONS
    )


def test_sign_up_style_consent_is_current_and_a_new_version_is_not(resident):
    assert consent.has_current_consent(fresh(resident))
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        assert not consent.has_current_consent(fresh(resident))
    assert not consent.has_current_consent(UserFactory(consented=False))


def test_a_new_version_refuses_commenting_with_the_way_to_accept_it(
    english, consultation, resident
):
    english.force_login(resident)
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        with translation.override("en"):
            refusal = rulebook.explain(fresh(resident), "consultations.comment", consultation)
            assert refusal.kind == RefusalKind.CONSENT
            assert refusal.reason == (
                "Accept the current version of the privacy policy to take part."
            )
        url = urlparse(refusal.url)
        assert url.path == ACCEPT and parse_qs(url.query)["next"] == [consultation.url]

        response = comment(english, consultation)
        assert response.status_code == 400
        assert "Accept the current version of the privacy policy" in response.content.decode()
        assert not Comment.objects.exists()
        page = english.get(consultation.url).content.decode()
        assert ACCEPT in page  # the banner and the comment form's way on

        response = english.post(ACCEPT, {"accept": "on", "next": consultation.url})
        assert response.status_code == 302 and response["Location"] == consultation.url
        assert comment(english, consultation).status_code == 302
        assert Comment.objects.count() == 1
    versions = list(
        Consent.objects.filter(user=resident)
        .order_by("given_at")
        .values_list("policy_version", flat=True)
    )
    assert versions == [settings.PRIVACY_POLICY_VERSION, NEW]


def test_a_new_version_refuses_voting_until_accepted(territory):
    voter = make_role("verified", OWN)
    cycle = BUILDERS["budget_cycle"]("prioritisation", None)
    assert rulebook.allowed(voter, "budgets.vote", cycle)
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        assert not rulebook.allowed(voter, "budgets.vote", cycle)
        refusal = rulebook.explain(voter, "budgets.vote", cycle)
        assert refusal.kind == RefusalKind.CONSENT
        assert urlparse(refusal.url).path == ACCEPT
        assert parse_qs(urlparse(refusal.url).query)["next"] == [cycle.url]
        before = timezone.now()
        accepted = consent.consent_accept(voter)
        assert rulebook.allowed(voter, "budgets.vote", cycle)
    assert accepted.policy_version == NEW and accepted.given_at >= before
    assert accepted.withdrawn_at is None


def test_accepting_twice_records_one_acceptance(resident):
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        first = consent.consent_accept(resident)
        assert consent.consent_accept(resident) == first
    assert Consent.objects.filter(user=resident, policy_version=NEW).count() == 1


# --- withdrawal -----------------------------------------------------------------------------


def test_withdrawal_blocks_participation_is_recorded_and_accepting_again_is_a_new_row(
    client, consultation, resident
):
    client.force_login(resident)
    response = client.post(WITHDRAW)  # the section's button: the confirmation step only
    assert response.status_code == 200
    assert Consent.objects.get(user=resident).withdrawn_at is None

    response = client.post(WITHDRAW, {"confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/mis-datos/#consentimiento"
    row = Consent.objects.get(user=resident)
    assert row.withdrawn_at is not None and row.policy_version == settings.PRIVACY_POLICY_VERSION
    assert not consent.has_current_consent(fresh(resident))
    refusal = rulebook.explain(fresh(resident), "consultations.comment", consultation)
    assert refusal.kind == RefusalKind.CONSENT
    assert comment(client, consultation).status_code == 400
    assert not Comment.objects.exists()

    assert client.post(ACCEPT, {"accept": "on"}).status_code == 302
    rows = consent.consent_history(resident)
    assert len(rows) == 2
    assert rows[0].withdrawn_at is None and rows[1].withdrawn_at is not None
    assert rows[0].policy_version == rows[1].policy_version == settings.PRIVACY_POLICY_VERSION
    assert comment(client, consultation).status_code == 302


def test_withdrawal_keeps_contributions_and_ends_following_works(territory):
    from tests.works.builders import make_work
    from works.models import Follow
    from works.services import follow_toggle

    user = make_role("verified", OWN)
    work = make_work()
    assert follow_toggle(work=work, user=user)
    thread_comment = BUILDERS["comment"]("old", user)
    assert consent.consent_withdraw(user) == 1
    assert not Follow.objects.filter(user=user).exists()
    assert Comment.objects.filter(pk=thread_comment.pk, author=user).exists()
    assert consent.consent_withdraw(user) == 0  # nothing standing: nothing more recorded


def test_the_withdraw_page_explains_the_consequences(english, resident):
    english.force_login(resident)
    html = english.get(WITHDRAW).content.decode()
    assert "You can no longer take part" in html
    assert "What you already did stays" in html
    assert "/cuenta/mis-datos/#eliminar" in html
    assert 'name="confirm" value="yes"' in html


def test_my_data_shows_the_history_and_the_withdraw_button(english, resident):
    english.force_login(resident)
    consent.consent_withdraw(resident)
    consent.consent_accept(resident)
    html = english.get("/cuenta/mis-datos/").content.decode()
    assert 'id="consentimiento"' in html
    assert html.count(f'<th scope="row">{settings.PRIVACY_POLICY_VERSION}</th>') == 2
    assert f'action="{WITHDRAW}"' in html
    assert "Withdraw my consent" in html


# --- the acceptance page --------------------------------------------------------------------


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example"],
)
def test_an_unsafe_next_is_ignored(client, resident, unsafe):
    client.force_login(resident)
    consent.consent_withdraw(resident)
    response = client.post(ACCEPT + "?next=/obras/", {"accept": "on", "next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/mis-datos/"
    assert consent.has_current_consent(fresh(resident))


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(candidate=st.text(max_size=60) | st.sampled_from(["/obras/", "//x.example", "/%2F/x"]))
@example(candidate="0")
@example(candidate="/a b\nc")
@example(candidate="/\\x.example")
def test_whatever_next_says_the_redirect_stays_on_this_site(client, resident, candidate):
    client.force_login(resident)
    consent.consent_withdraw(resident)
    response = client.post(ACCEPT, {"accept": "on", "next": candidate})
    if "\x00" in candidate:
        assert response.status_code == 400  # refused before any view (RefuseNulMiddleware)
        return
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert not location.netloc and not location.scheme
    assert response["Location"] in {iri_to_uri(candidate), "/cuenta/mis-datos/"}
    assert consent.has_current_consent(fresh(resident))


def test_a_safe_next_from_the_query_string_is_kept(client, resident):
    client.force_login(resident)
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        html = client.get(ACCEPT + "?next=/obras/").content.decode()
        assert 'name="next" value="/obras/"' in html
        response = client.post(ACCEPT, {"accept": "on", "next": "/obras/"})
    assert response["Location"] == "/obras/"


def test_an_unticked_box_is_a_spanish_field_error_and_records_nothing(client, resident):
    client.force_login(resident)
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        html = client.get(ACCEPT).content.decode()
        assert 'type="checkbox"' in html and "checked" not in html  # never pre-ticked
        response = client.post(ACCEPT, {"next": "/obras/"})
        assert response.status_code == 200
        assert response.context["form"].errors["accept"]
        assert "field-invalid" in response.content.decode()
        assert not consent.has_current_consent(fresh(resident))
    assert not Consent.objects.filter(user=resident, policy_version=NEW).exists()


def test_the_page_says_what_is_new_since_the_last_acceptance(english, resident, monkeypatch):
    newer = consent.PolicyVersion(NEW, datetime.date(2027, 1, 1), ("Codes now expire sooner.",))
    monkeypatch.setattr(consent, "POLICY_VERSIONS", (*consent.POLICY_VERSIONS, newer))
    english.force_login(resident)
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        html = english.get(ACCEPT).content.decode()
    assert "Codes now expire sooner." in html
    assert f"What is new in version {NEW}" in html
    assert f"What is new in version {settings.PRIVACY_POLICY_VERSION}" not in html


def test_the_acceptance_pages_need_a_login(client):
    for url in (ACCEPT, WITHDRAW):
        response = client.get(url)
        assert response.status_code == 302 and "/cuenta/login/" in response["Location"]


# --- the banner -----------------------------------------------------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return ctx.captured_queries


def test_the_banner_costs_anonymous_visitors_nothing_and_residents_one_query(
    client, resident, settings
):
    client.get("/obras/")  # warm the per-process caches
    anonymous = _queries(client, "/obras/")
    assert not any("accounts_consent" in q["sql"] for q in anonymous)
    assert ACCEPT not in client.get("/obras/").content.decode()

    client.force_login(resident)
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        logged_in = _queries(client, "/obras/")
        assert ACCEPT + "?next=%2Fobras%2F" in client.get("/obras/").content.decode()
    assert sum("accounts_consent" in q["sql"] for q in logged_in) == 1


def test_no_banner_with_a_current_consent_nor_after_a_withdrawal(client, resident):
    client.force_login(resident)
    assert 'class="consent-banner' not in client.get("/obras/").content.decode()
    consent.consent_withdraw(resident)
    assert 'class="consent-banner' not in client.get("/obras/").content.decode()
    other = UserFactory()  # accepted the version in force before the change
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        client.force_login(other)
        assert 'class="consent-banner' in client.get("/obras/").content.decode()


def test_a_page_asking_many_rules_reads_the_consent_once(resident, consultation):
    user = fresh(resident)
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(20):
            rulebook.allowed(user, "discussions.flag", None)
    assert sum("accounts_consent" in q["sql"] for q in ctx.captured_queries) == 1


# --- the rule book: every participation action, every staff action --------------------------


def test_participation_and_staff_are_exclusive_and_cover_the_resident_actions():
    for name in PARTICIPATION:
        assert not rulebook.ACTIONS[name].staff, name
    # What residents do (the brief's list), each gated; deleting one's own comment is not:
    # withdrawing consent must never stop someone removing what they wrote.
    for name in (
        "consultations.comment",
        "discussions.support",
        "discussions.flag",
        "discussions.edit",
        "proposals.submit",
        "proposals.support",
        "proposals.comment",
        "budgets.vote",
        "assemblies.ask",
        "assemblies.upvote",
        "assemblies.vote",
        "works.observe",
        "works.follow",
    ):
        assert name in PARTICIPATION, name
    assert "discussions.delete" not in PARTICIPATION
    with pytest.raises(ValueError, match="either a staff action or a participation"):
        rulebook.action(
            "tests.both",
            rulebook.is_active_user,
            target="thread",
            rows={"any": set()},
            summary="x",
            staff=True,
            participation=True,
        )
    assert "tests.both" not in rulebook.ACTIONS


def _cells(names):
    for name in names:
        action = rulebook.ACTIONS[name]
        for phase in sorted(action.rows):
            role = next((r for r in rulebook.ROLES if action.allows(r, phase, own_zone=True)), None)
            if role is not None:
                yield pytest.param(name, phase, role, id=f"{name}-{phase}-{role}")


@pytest.mark.parametrize(("name", "phase", "role"), list(_cells(PARTICIPATION)))
def test_every_participation_action_refuses_without_the_current_consent(
    territory, name, phase, role
):
    """For every phase where someone may act: that person may with the current consent,
    may not after a version change nor after withdrawing (refused with the way to the
    acceptance page), and may again once they accept."""
    action = rulebook.ACTIONS[name]
    user = make_role(role, OWN)
    target = BUILDERS[action.target](phase, user if role == "author" else None)
    assert rulebook.allowed(user, name, target)
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        assert not rulebook.allowed(user, name, target)
        refusal = rulebook.explain(user, name, target)
        assert refusal.kind == RefusalKind.CONSENT, refusal
        assert urlparse(refusal.url).path == ACCEPT
    consent.consent_withdraw(user)
    assert not rulebook.allowed(user, name, target)
    assert rulebook.explain(user, name, target).kind == RefusalKind.CONSENT
    consent.consent_accept(user)
    assert rulebook.allowed(user, name, target)


@pytest.mark.parametrize(("name", "phase", "role"), list(_cells(STAFF_ACTIONS)))
def test_no_staff_action_depends_on_the_consent(territory, name, phase, role):
    action = rulebook.ACTIONS[name]
    user = make_role(role, OWN)
    target = BUILDERS[action.target](phase, None)
    assert rulebook.allowed(user, name, target)
    consent.consent_withdraw(user)
    with override_settings(PRIVACY_POLICY_VERSION=NEW):
        assert not consent.has_current_consent(user)
        assert rulebook.allowed(user, name, target)


def test_the_matrix_roles_all_have_the_current_consent(territory):
    for role in rulebook.ROLES:
        if role in {"anonymous", "author"}:
            continue
        assert consent.has_current_consent(make_role(role, OWN)), role


def test_the_refusal_reaches_the_403_page_with_its_way_on(territory):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from quitodecide.views import permission_denied

    user = make_role("verified", OWN)
    cycle = BUILDERS["budget_cycle"]("prioritisation", None)
    consent.consent_withdraw(user)
    refusal = rulebook.explain(user, "budgets.vote", cycle)
    request = RequestFactory().get(cycle.url)
    request.user, request.session = user, {}
    request._messages = FallbackStorage(request)
    response = permission_denied(
        request, rulebook.PermissionDenied(refusal.reason, refusal=refusal)
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-refusal="consent"' in html
    assert f'href="{reverse("privacy:consent_accept")}?next=' in html


def test_withdrawal_also_stops_notification_emails_and_signup_records_through_the_service(
    territory,
):
    from accounts import services as account_services
    from accounts.models import Consent
    from privacy.consent import consent_withdraw
    from tests.factories import ResidentFactory

    resident = ResidentFactory(email_notifications=True)
    consent_withdraw(resident.user)
    resident.refresh_from_db()
    assert resident.email_notifications is False
    # Accepting again after a withdrawal (sign-up's path too) is a new row, not a crash.
    account_services.consent_record(user=resident.user, purpose="privacy_policy")
    rows = Consent.objects.filter(user=resident.user).order_by("given_at")
    assert [row.withdrawn_at is None for row in rows] == [False, True]


def test_after_withdrawing_consent_one_can_take_a_support_back_but_not_give_one(consultation):
    """Found by the hostile review: withdrawing consent must not lock anyone into the
    supports they gave (a comment's, a budget request's), while supports are open."""
    from discussions import services as discussion_services
    from discussions.models import Support as CommentSupport
    from discussions.models import Thread
    from proposals import services as proposal_services
    from proposals.models import Support as RequestSupport
    from quitodecide.errors import PermissionDenied
    from tests.budgets.builders import make_cycle, make_request, make_resident

    author = make_resident("calderon")
    thread = Thread.objects.create(title="Hilo")
    cycle = make_cycle("calderon", phase="requests")
    item = make_request(cycle, viable=None)
    voter = make_resident("calderon")
    proposal_services.request_support(request=item, user=voter)
    other_item = make_request(cycle, title="Parque", viable=None)
    comment_obj = discussion_services.comment_create(thread=thread, author=author, body="Hola")
    assert discussion_services.support_toggle(comment=comment_obj, user=voter) is True
    other_comment = discussion_services.comment_create(thread=thread, author=author, body="Otro")

    consent.consent_withdraw(voter)
    voter = fresh(voter)
    with pytest.raises(PermissionDenied):
        proposal_services.request_support(request=other_item, user=voter)
    with pytest.raises(PermissionDenied):
        discussion_services.support_toggle(comment=other_comment, user=voter)
    proposal_services.request_unsupport(request=item, user=voter)
    assert not RequestSupport.objects.filter(request=item).exists()
    assert discussion_services.support_toggle(comment=comment_obj, user=voter) is False
    assert not CommentSupport.objects.filter(comment=comment_obj).exists()
