from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("catalogo.jsonld", views.catalogue_jsonld, name="dcat"),
    path("descargas/<slug:slug>/<slug:fmt>/", views.dataset_download, name="download"),
    path("territorio/<slug:kind>/<slug:fmt>/", views.territory_download, name="territory"),
    path("<slug:slug>/", views.dataset_detail, name="dataset"),
]
