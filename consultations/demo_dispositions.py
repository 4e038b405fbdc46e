"""Demo dispositions: `load_demo_dispositions(consultation)` gives the citizen contributions
of a closed demo consultation varied dispositions with realistic reasons, through the
service (rule, audit, e-mails), as the zone's demo coordinator. Repeatable and idempotent:
contributions that already have a disposition are left as they are. Called by the demo of
the enacted text."""

import random

from django.db import transaction

from .dispositions import Outcome, consultation_contributions, disposition_set

# Reasons read as the responsible commission would write them.
REASONS = {
    Outcome.ACCEPTED: [""],
    Outcome.PARTIAL: [
        "Se acoge la idea central; el plazo y los detalles se fijarán en el reglamento.",
        "Se incorpora para las vías principales; en las calles locales se evaluará caso a "
        "caso con la Agencia Metropolitana de Tránsito.",
        "Se acoge con una redacción distinta, para que sea coherente con el Código Municipal.",
        "Se recoge en la disposición transitoria, con un plazo de implementación de un año.",
    ],
    Outcome.REJECTED: [
        "La propuesta contradice el plan maestro de movilidad aprobado por el Concejo.",
        "El presupuesto de la Administración Zonal no permite asumir este costo en el "
        "período fiscal actual.",
        "La mayoría de contribuciones y la sesión presencial se pronunciaron en sentido contrario.",
        "La medida ya está prevista en otro artículo de la ordenanza.",
    ],
    Outcome.OUT_OF_SCOPE: [
        "Es competencia del Gobierno Nacional, no del Municipio; se remite al ministerio.",
        "Trata de un tema distinto del que regula esta ordenanza; se traslada a la "
        "Administración Zonal como pedido ciudadano.",
        "Es una consulta de información, respondida en el hilo de comentarios.",
    ],
}


def _demo_actor(consultation):
    """The demo coordinator when they may act on this consultation, otherwise a demo
    superuser (both marked as past MFA, as the other demo loaders do)."""
    from accounts.models import User
    from home.demo import demo_accounts
    from quitodecide import rulebook
    from quitodecide.mfa import mark_user

    staff = demo_accounts()["staff"]  # refuses under the production settings
    if rulebook.allowed(staff, "consultations.dispose", consultation):
        return staff
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        return staff  # the service will refuse, with its reason
    mark_user(admin, True)
    return admin


def _outcome_for(contribution, rng) -> str:
    wording = getattr(contribution, "proposed_wording", "")
    stance = getattr(contribution, "stance", "")
    if wording:
        weights = {Outcome.ACCEPTED: 4, Outcome.PARTIAL: 4, Outcome.REJECTED: 2}
    elif getattr(contribution, "parent_id", None):
        weights = {Outcome.REJECTED: 1, Outcome.OUT_OF_SCOPE: 3, Outcome.PARTIAL: 1}
    elif stance == "contra":
        weights = {Outcome.REJECTED: 5, Outcome.PARTIAL: 2, Outcome.OUT_OF_SCOPE: 1}
    elif stance == "":
        weights = {Outcome.OUT_OF_SCOPE: 3, Outcome.PARTIAL: 1, Outcome.REJECTED: 1}
    else:
        weights = {
            Outcome.ACCEPTED: 3,
            Outcome.PARTIAL: 3,
            Outcome.REJECTED: 2,
            Outcome.OUT_OF_SCOPE: 1,
        }
    outcomes = list(weights)
    return rng.choices(outcomes, weights=[weights[o] for o in outcomes])[0]


@transaction.atomic
def load_demo_dispositions(consultation, *, leave_pending: int = 3) -> int:
    """Give the contributions of closed `consultation` that have none a disposition
    (leaving the last `leave_pending` without, so the admin shows work to do). Returns how
    many dispositions were given."""
    rng = random.Random(f"dispositions-{consultation.slug}")  # noqa: S311 (a repeatable demo)
    articles = consultation_contributions(consultation)
    waiting = [c for a in articles for c in a.contributions if c.current_disposition is None]
    if leave_pending:
        waiting = waiting[:-leave_pending] if len(waiting) > leave_pending else []
    groups: dict[tuple[str, str], dict[str, list]] = {}
    for contribution in waiting:
        outcome = _outcome_for(contribution, rng)
        reason = rng.choice(REASONS[outcome])
        group = groups.setdefault((outcome, reason), {"comments": [], "observations": []})
        is_observation = hasattr(contribution, "session_id")
        group["observations" if is_observation else "comments"].append(contribution.pk)
    if not groups:
        return 0
    actor = _demo_actor(consultation)
    given = 0
    for (outcome, reason), group in groups.items():
        given += len(
            disposition_set(
                consultation=consultation,
                actor=actor,
                outcome=outcome,
                reason=reason,
                comments=group["comments"],
                observations=group["observations"],
            )
        )
    return given
