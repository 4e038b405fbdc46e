from django.urls import include, path

from . import views

app_name = "council"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    # The empty seat's application form and the applicant's pages.
    path("", include("council.urls_empty_seat")),
]
