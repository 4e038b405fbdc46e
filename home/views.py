"""Site search: pages, consultation articles, comments, budget requests, assemblies and
works in one ranked list (the search itself lives in sitesearch.search)."""

from urllib.parse import urlencode

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from sitesearch.search import Scope
from sitesearch.search import search as run_search
from territory.models import Zone

from .forms import SearchForm


def search(request):
    form = SearchForm(request.GET or None, zones=Zone.objects.order_by("name"))
    results = None
    if form.is_bound and form.terms:
        results = run_search(
            Scope(terms=form.terms, zone=form.zone),
            kinds=[form.kind] if form.kind else None,
            page_number=form.page_number,
        )
        paginator = results.page.paginator
        if form.page_number > max(paginator.num_pages, 1):
            form.notices.append(
                _("There is no page %(number)d; the last page is shown.")
                % {"number": form.page_number}
            )
    filters = {"q": form.query}
    if form.kind:
        filters["tipo"] = form.kind
    if form.zone is not None:
        filters["zona"] = form.zone.slug
    return TemplateResponse(
        request,
        "home/search.html",
        {
            "form": form,
            "query": form.query,
            "selected_kind": form.kind,
            "selected_zone": form.zone.slug if form.zone is not None else "",
            "results": results,
            "filter_query": urlencode(filters),
        },
    )
