"""Observations recorded before articles had an identity across versions: link each to the
thread of its article in the latest version (by the key it was recorded with)."""

from django.db import migrations


def backfill(apps, schema_editor):
    Observation = apps.get_model("consultations", "SessionObservation")
    Version = apps.get_model("consultations", "DraftVersion")
    Provision = apps.get_model("consultations", "Provision")
    for observation in Observation.objects.filter(thread__isnull=True).select_related("session"):
        version = (
            Version.objects.filter(consultation_id=observation.session.consultation_id)
            .order_by("-number")
            .first()
        )
        if version is None:
            continue
        observation.revision = version.number
        if observation.provision_key:
            provision = Provision.objects.filter(
                version=version, key=observation.provision_key, thread__isnull=False
            ).first()
            observation.thread_id = provision.thread_id if provision else None
        observation.save(update_fields=["thread", "revision"])


class Migration(migrations.Migration):
    dependencies = [("consultations", "0004_disposition_consultationpage_article_matching_and_more")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
