from django.urls import path

from . import views

app_name = "actors"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.detail, name="detail"),
    *[
        path(f"datos/{name}.{fmt}", view, name=f"{name}_{fmt}")
        for (name, fmt), view in views.download_views.items()
    ],
]
