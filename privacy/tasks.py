"""Background work of the data-rights app: building a person's data export."""

from django.tasks import task


@task
def build_data_export(export_id: int) -> str:
    """Build the ZIP of one data export and e-mail its owner (privacy.exports.build)."""
    from .exports import build

    return build(export_id)
