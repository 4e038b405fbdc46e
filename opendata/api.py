"""The read-only open-data API at /api/v1/: one NinjaAPI, one router per resource
(opendata/api_*.py), the shared rules (pagination, filters, validators, CORS, rate limit,
JSON errors) in opendata/apikit.py. Its OpenAPI document is /api/v1/openapi.json and its
interactive docs /api/v1/docs (Swagger UI from our own static files, no inline script).

Versioning: /api/v1/ only grows (new resources, new optional fields); renaming or removing
a field, a parameter or a path is a new version. tests/opendata/test_api.py compares the
OpenAPI document with a committed snapshot so that a breaking change cannot slip in.
"""

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from . import (
    api_assemblies,
    api_budgets,
    api_catalogue,
    api_consultations,
    api_territory,
    api_works,
)
from .apikit import install_error_handlers, wrap_urls

DESCRIPTION = """Open data of Quito Decide, the citizen-participation platform of the
Municipio del Distrito Metropolitano de Quito: territory, consultations, participatory
budgets, assemblies, public works, indicators, datasets and open-government commitments.

Read-only (GET, HEAD, OPTIONS), no key, CORS open to any origin. Lists are paginated
(`page`, `page_size` up to 100; `count`, `next`, `previous`). Every 200 carries a weak
`ETag` and a `Last-Modified`: send `If-None-Match` or `If-Modified-Since` and get 304 when
nothing changed. At most 120 requests a minute per address (429 with `Retry-After`).
Errors are JSON: `{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`.
No personal data: comments and requests carry no author; no e-mail, user id or phone.
Licence of the data: CC BY 4.0 (Municipio del Distrito Metropolitano de Quito)."""


class LocalSwagger(DocsBase):
    """Swagger UI from opendata/static/ (no CDN) started by a static file reading a JSON
    block, so the page needs no inline script under the site's CSP."""

    template = "opendata/api_docs.html"
    settings = {
        "layout": "BaseLayout",
        # Deep links make each operation's path a link inside its toggle button (nested
        # interactive controls for screen readers).
        "deepLinking": False,
        "validatorUrl": None,
        "tryItOutEnabled": False,
        "supportedSubmitMethods": ["get", "head"],
    }

    def render_page(self, request, api, **kwargs):
        openapi_url = self.get_openapi_url(api, kwargs)
        context = {
            "api": api,
            "openapi_url": openapi_url,
            "swagger_settings": {**self.settings, "url": openapi_url},
        }
        return render(request, self.template, context)


class OpenDataAPI(NinjaAPI):
    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        return wrap_urls(patterns), app_name, namespace


api = OpenDataAPI(
    title="Quito Decide",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=LocalSwagger(),
)
install_error_handlers(api)
api.add_router("", api_territory.router)
api.add_router("", api_consultations.router)
api.add_router("", api_budgets.router)
api.add_router("", api_assemblies.router)
api.add_router("", api_works.router)
api.add_router("", api_catalogue.router)
