from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views_security
from home import views as home_views
from opendata.api import api as opendata_api

from . import views

handler403 = "quitodecide.views.permission_denied"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    # One login: Wagtail's own login views authenticate nobody (accounts.views_security).
    path("admin/login/", views_security.admin_login),
    path("_util/login/", views_security.login_elsewhere),
    path("admin/", include(wagtailadmin_urls)),
    path("documentos/", include(wagtaildocs_urls)),
    path("cuenta/mis-datos/", include("privacy.urls")),
    path("cuenta/verificacion/", include("verification.urls")),
    path("privacidad/registro/", include("privacy.urls_register")),
    path("cuenta/", include("accounts.urls")),
    path("cuenta/", include("accounts.urls_security")),
    path("cuenta/", include("allauth.urls")),
    path("buscar/", home_views.search, name="search"),
    path("obras/", include("works.urls")),
    path("api/", RedirectView.as_view(url="/api/v1/", permanent=False)),  # the current version
    path("api/v1/", opendata_api.urls),
    path("datos/", include("opendata.urls")),
    path("indicadores/", include("indicators.urls")),
    path("gobierno-abierto/", include("opengov.urls")),
    path("concejo/", include("council.urls")),
    path("actores/", include("actors.urls")),
    path("formacion/", include("training.urls")),
    path("encuestas/", include("surveys.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
