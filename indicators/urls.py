from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.index, name="index"),
    path("datos.csv", views.dataset_csv, name="dataset_csv"),
    path("datos.json", views.dataset_json, name="dataset_json"),
    path("<slug:slug>/", views.sheet, name="sheet"),
    path("<slug:slug>.json", views.sheet_json, name="sheet_json"),
]
