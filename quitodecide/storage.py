"""Where files with personal data go: the "private" storage (settings.STORAGES), which has
no public URL. A callable, so that migrations do not freeze the storage's settings."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
