"""The home page and standard content pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BodyBlock


class HomePage(Page):
    """`/`: what Quito Decide is, the zones, and what is happening now.

    Later capabilities (consultations, assemblies) add sections through `get_sections`;
    a section with nothing in it is not rendered.
    """

    lead = models.CharField(_("lead"), max_length=300, blank=True)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("intro")]
    subpage_types = [
        "territory.ZoneIndexPage",
        "consultations.ConsultationIndexPage",
        "budgets.BudgetIndexPage",
        "assemblies.AssemblyIndexPage",
        "home.StandardPage",
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        from .selectors import home_sections, zone_pages_for_home

        context = super().get_context(request, *args, **kwargs)
        context["zone_pages"] = zone_pages_for_home()
        context["sections"] = home_sections(request)
        return context


class StandardPage(Page):
    """Pages like `/acerca/` or the privacy policy."""

    intro = models.CharField(_("introduction"), max_length=400, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")
