"""Site search over Wagtail pages (PostgreSQL: Spanish full text, accent-insensitive)."""

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.models import Page

from .forms import SearchForm

PAGE_SIZE = 10


def search(request):
    form = SearchForm(request.GET)
    results = Page.objects.none()
    if form.terms:
        results = Page.objects.live().public().specific().search(form.terms)
    page = Paginator(results, PAGE_SIZE).get_page(form.page_number)
    return TemplateResponse(
        request, "home/search.html", {"form": form, "query": form.query, "results": page}
    )
