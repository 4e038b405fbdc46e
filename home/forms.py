"""The site search box and its filters.

Nothing a person types makes the search fail: the text is cut to `MAX_QUERY_LENGTH`
characters and to its words (quotes, asterisks, colons, `&`, `|`, `!` and the like are
operators to the full-text engines, not something a resident means), at most
`MAX_TERMS` of them; a type, zone or page that does not exist is set aside. Each of these
is said back to the person in `notices`.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sitesearch.search import MAX_TERMS, PROVIDERS

MAX_QUERY_LENGTH = 200
WORD = re.compile(r"[^\W_]+")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("What are you looking for?"), required=False, strip=True)
    tipo = forms.CharField(label=_("Type"), required=False)
    zona = forms.CharField(label=_("Zone"), required=False)
    pagina = forms.CharField(required=False)

    def __init__(self, data=None, *, zones=()):
        super().__init__(data)
        self.zones = list(zones)
        self.notices: list[str] = []
        self.type_choices = [("", _("All types"))] + [
            (provider.key, provider.label) for provider in PROVIDERS.values()
        ]
        self.zone_choices = [("", _("All zones"))] + [(zone.slug, zone.name) for zone in self.zones]

    def clean_q(self) -> str:
        value = self.cleaned_data["q"]
        if len(value) > MAX_QUERY_LENGTH:
            self.notices.append(
                ngettext(
                    "Your search was cut to its first %(count)d character.",
                    "Your search was cut to its first %(count)d characters.",
                    MAX_QUERY_LENGTH,
                )
                % {"count": MAX_QUERY_LENGTH}
            )
            value = value[:MAX_QUERY_LENGTH]
        words = WORD.findall(value)
        if value and not words:
            self.notices.append(_("Type at least one word or number to search."))
        elif len(words) > MAX_TERMS:
            self.notices.append(
                ngettext(
                    "Only the first %(count)d word was searched.",
                    "Only the first %(count)d words were searched.",
                    MAX_TERMS,
                )
                % {"count": MAX_TERMS}
            )
        return value

    def clean_tipo(self) -> str:
        value = self.cleaned_data["tipo"].strip()
        if value and value not in PROVIDERS:
            self.notices.append(_("That type of content does not exist; all types are shown."))
            return ""
        return value

    def clean_zona(self):
        value = self.cleaned_data["zona"].strip()
        if not value:
            return None
        zone = next((zone for zone in self.zones if zone.slug == value), None)
        if zone is None:
            self.notices.append(_("That zone does not exist; all zones are shown."))
        return zone

    def clean_pagina(self) -> int:
        value = self.cleaned_data["pagina"].strip()
        if not value:
            return 1
        if value.isascii() and value.isdigit() and int(value) >= 1:
            return int(value)
        self.notices.append(_("That page number is not valid; the first page is shown."))
        return 1

    def _clean(self, name, default):
        return self.cleaned_data.get(name, default) if self.is_valid() else default

    @property
    def query(self) -> str:
        """The text typed, as shown back (empty when the form does not validate)."""
        return self._clean("q", "")

    @property
    def terms(self) -> list[str]:
        """The words to look for."""
        return WORD.findall(self.query)[:MAX_TERMS]

    @property
    def kind(self) -> str:
        return self._clean("tipo", "")

    @property
    def zone(self):
        return self._clean("zona", None)

    @property
    def page_number(self) -> int:
        return self._clean("pagina", 1)
