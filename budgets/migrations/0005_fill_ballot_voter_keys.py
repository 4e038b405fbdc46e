"""Give every existing ballot whose resident has a cédula hash its voter key, so a booth (or
a re-registered person) cannot vote again in a cycle where they already voted online.
Ballots of residents without a cédula keep NULL: they stay counted, but no key protects them.

The key's formula is written out here (it must never change for stored keys): see
accounts.cedula.cycle_voter_key.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations


def fill_voter_keys(apps, schema_editor):
    Ballot = apps.get_model("budgets", "Ballot")
    key = settings.CEDULA_HASH_KEY
    pending = Ballot.objects.filter(
        voter_key__isnull=True, resident__isnull=False, resident__cedula_hash__isnull=False
    ).exclude(resident__cedula_hash="")
    if not key:
        if pending.exists():
            raise RuntimeError("CEDULA_HASH_KEY is needed to give existing ballots their key.")
        return
    for ballot in pending.values("pk", "cycle_id", "resident__cedula_hash").iterator():
        message = f"voter:{int(ballot['cycle_id'])}:{ballot['resident__cedula_hash']}"
        voter_key = hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()
        Ballot.objects.filter(pk=ballot["pk"]).update(voter_key=voter_key)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_data_rights"),
        ("budgets", "0004_ballot_voter_key_channel_booth"),
    ]

    operations = [migrations.RunPython(fill_voter_keys, migrations.RunPython.noop)]
