from django.urls import path

from . import views

app_name = "works"
urlpatterns = [
    path("", views.work_list, name="list"),
    path("geojson/", views.work_geojson, name="geojson"),
    path("csv/", views.work_csv, name="csv"),
    path("<str:code>/", views.work_detail, name="detail"),
    path("<str:code>/observar/", views.work_observe, name="observe"),
    path("<str:code>/seguir/", views.work_follow, name="follow"),
    path(
        "<str:code>/comentario/<int:comment_id>/<slug:action>/",
        views.work_comment_action,
        name="comment_action",
    ),
]
