"""The files kept between an import's check and its application (actors.admin_import):
in the private storage, folder FOLDER, under a random name only the uploader's session
knows. They hold the actors' contact details (personal data), so a file left behind by an
abandoned check is deleted after MAX_AGE: `purge_stale_uploads` runs at every upload and
as the management command `purge_actor_uploads` (e.g. from cron)."""

import contextlib
import datetime

from django.utils import timezone

from quitodecide.storage import private_storage

FOLDER = "actors-imports"
MAX_AGE = datetime.timedelta(hours=6)


def purge_stale_uploads(*, max_age: datetime.timedelta = MAX_AGE, now=None) -> int:
    """Delete the files of FOLDER older than `max_age`; the number deleted."""
    storage = private_storage()
    now = now or timezone.now()
    try:
        _folders, files = storage.listdir(FOLDER)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return 0
    deleted = 0
    for name in files:
        path = f"{FOLDER}/{name}"
        try:
            modified = storage.get_modified_time(path)
        except (FileNotFoundError, OSError, NotImplementedError):
            continue
        if timezone.is_naive(modified):
            modified = timezone.make_aware(modified)
        if now - modified > max_age:
            with contextlib.suppress(FileNotFoundError, OSError):
                storage.delete(path)
                deleted += 1
    return deleted
