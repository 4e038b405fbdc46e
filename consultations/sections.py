"""How consultations appear elsewhere: home and zone page sections, publish hook."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from home.selectors import HomeSection

from .models import ConsultationPage


def on_consultation_published(sender, instance, revision=None, **kwargs):
    from .services import version_publish

    user = getattr(revision, "user", None) if revision is not None else None
    version_publish(consultation=instance.specific, actor=user)


def _item(page):
    return {
        "title": page.title,
        "url": page.url,
        "meta": _("Open until %(date)s")
        % {"date": date_format(timezone.localtime(page.closes_at), "d/m/Y")},
    }


def open_consultations_section(request) -> HomeSection:
    now = timezone.now()
    pages = (
        ConsultationPage.objects.live()
        .public()
        .filter(opens_at__lte=now, closes_at__gt=now)
        .order_by("closes_at")[:6]
    )
    return HomeSection(
        key="consultas",
        title=_("Open consultations"),
        items=[_item(page) for page in pages],
        more_url="/consultas/",
    )


def zone_consultations_section(zone_page, request) -> HomeSection:
    pages = (
        ConsultationPage.objects.live().public().descendant_of(zone_page).order_by("-opens_at")[:6]
    )
    items = [{"title": page.title, "url": page.url, "meta": page.status_label} for page in pages]
    return HomeSection(
        key="consultas-zona",
        title=_("Consultations of this zone"),
        items=items,
        more_url="/consultas/?zona=" + zone_page.zone.slug,
    )
