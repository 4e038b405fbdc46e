from django.urls import path

from . import views

app_name = "opengov"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("hitos.csv", views.milestones_csv, name="milestones_csv"),
    path("hitos.json", views.milestones_json, name="milestones_json"),
    path("<slug:plan_slug>/", views.plan_detail, name="plan"),
    path("<slug:plan_slug>/compromiso-<int:number>/", views.commitment_detail, name="commitment"),
]
