"""For tests/test_exports.py's EXERCISERS: "training.certificate": exercise_training_certificate."""

from django.urls import reverse


def exercise_training_certificate(client):
    """An attendee's certificate (PDF): one response."""
    from tests.training.helpers import held, make_session, parish, staff
    from training import services

    session = make_session()
    registration = services.register(
        None,
        session,
        name="=1+1 Ana Quishpe",
        email="certificado@example.ec",
        parish=parish(),
        privacy_consent=True,
    )
    held(session)
    services.attendance_save(actor=staff(), session=session, attended_ids=[registration.pk])
    registration.refresh_from_db()
    return [client.get(reverse("training:certificate_pdf", args=[registration.certificate_code]))]
