"""Bench fixtures, created inside the server's database: an assembly in progress in
Calderón, a staff member of the zone, and a session of theirs with an MFA step recorded
(as allauth records it after a TOTP code), so the publisher uses the real staff path."""

import datetime
import time

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from assemblies import services
from assemblies.models import AssemblyKind, AssemblyPage, AssemblyStatus, LiveState
from quitodecide.mfa import mark_user
from territory.models import ZonePage

SLUG = "asamblea-bench"


def setup() -> dict:
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    user, _created = get_user_model().objects.get_or_create(email="bench@quitodecide.localhost")
    # A second factor enrolled: the session below records its use (as allauth does).
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench"}}
    )
    user.groups.add(Group.objects.get(name=f"Editores zona {zone_page.zone.name}"))
    page = AssemblyPage.objects.filter(slug=SLUG).first()
    if page is None:
        page = zone_page.add_child(
            instance=AssemblyPage(
                title="Asamblea de banco de pruebas",
                slug=SLUG,
                kind=AssemblyKind.ZONAL,
                starts_at=timezone.now() - datetime.timedelta(minutes=5),
                place="127.0.0.1",
            )
        )
        page.save_revision().publish()
    state = LiveState.objects.filter(assembly=page).first()
    if state is None or state.status == AssemblyStatus.SCHEDULED:
        mark_user(user, True)  # as a staff session after its TOTP step
        services.assembly_start(assembly=page, actor=user)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "mfa", "at": time.time()}]
    session.create()
    return {"assembly": page.pk, "cookie": f"sessionid={session.session_key}"}
