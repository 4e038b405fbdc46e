"""Project-wide middleware."""

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


class AdminContentSecurityPolicyMiddleware:
    """Give the Wagtail admin its own CSP (it needs inline styles); the public site keeps
    the strict one. Listed after Django's CSP middleware so it runs before it on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response._csp_config = settings.ADMIN_CSP
        return response


class CookieLocaleMiddleware:
    """Choose the interface language from the language switch only.

    Replaces Django's LocaleMiddleware, which also follows the browser's Accept-Language:
    the content of the portal is Spanish, so a browser set to English must not turn the
    interface English around it. The language cookie written by the switch (Django's
    set_language view) decides when it names one of settings.LANGUAGES; otherwise the site
    speaks settings.LANGUAGE_CODE. Inside /admin/ Wagtail still applies a staff member's
    own admin language preference on top of this (wagtail.admin.localization).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def language_for(request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        allowed = {code.lower() for code, _name in settings.LANGUAGES}
        if chosen and chosen.lower() in allowed:
            return translation.get_supported_language_variant(chosen)
        return settings.LANGUAGE_CODE

    def __call__(self, request):
        language = self.language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The page depends on the cookie, never on Accept-Language.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulMiddleware:
    """Answer 400, with the reason, for a query string or form field holding a NUL byte.

    PostgreSQL text columns cannot store NUL (psycopg raises DataError: a 500), and no
    honest form or link sends one. Django's form fields already refuse it; this covers the
    views and services that read request.GET/POST directly, before anything is written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _holds_nul(query) -> bool:
        return any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in query.lists()
        )

    def __call__(self, request):
        fields = [request.GET]
        # Parsing the form here is no extra cost: CsrfViewMiddleware reads request.POST of
        # every POST it checks anyway. (Nothing of ours sets its own upload handlers.)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            fields.append(request.POST)
        if any(self._holds_nul(query) for query in fields):
            reason = _(
                "The request holds a character that is not allowed (NUL). Nothing was saved."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": reason}, status=400)
            return HttpResponseBadRequest(render_to_string("400.html", {"reason": reason}, request))
        return self.get_response(request)
