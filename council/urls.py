from django.urls import include, path

from . import views

app_name = "council"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("sesion/<int:session_pk>/", views.session_detail, name="session"),
    path("sesion/<int:session_pk>/punto/<int:position>/", views.item_detail, name="item"),
    path("concejal/<int:councillor_pk>/", views.councillor_detail, name="councillor"),
    *[
        path(f"datos/{name}.{fmt}", view, name=f"{name}_{fmt}")
        for (name, fmt), view in views.download_views.items()
    ],
    # The empty seat's application form and the applicant's pages.
    path("", include("council.urls_empty_seat")),
]
