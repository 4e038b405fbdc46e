"""The site search box."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 200
# A search is a list of words: quotes, asterisks, colons and the like are operators to the
# full-text engines (SQLite FTS5, PostgreSQL tsquery), not something a resident means.
WORD = re.compile(r"\w+")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("What are you looking for?"), required=False)
    page = forms.IntegerField(min_value=1, required=False)

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:MAX_QUERY_LENGTH]

    @property
    def query(self) -> str:
        """The text typed, as shown back (empty when the form does not validate)."""
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

    @property
    def terms(self) -> str:
        """The words to look for, separated by spaces."""
        return " ".join(WORD.findall(self.query))

    @property
    def page_number(self) -> int:
        return (self.cleaned_data.get("page") if self.is_valid() else None) or 1
