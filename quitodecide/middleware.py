"""Project-wide middleware."""

from django.conf import settings


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
