from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("catalogo.jsonld", views.catalogue_jsonld, name="dcat"),
    path("territorio/<slug:kind>/<slug:fmt>/", views.territory_download, name="territory"),
    path("<slug:slug>/", views.dataset_detail, name="dataset"),
]
