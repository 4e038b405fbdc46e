from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/gracias/", views.thanks, name="thanks"),
    path("<slug:slug>/resultados/", views.results, name="results"),
    path(
        "<slug:slug>/resultados/resultados.<str:fmt>",
        views.results_download,
        name="results_download",
    ),
    path("<slug:slug>/resultados/textos/<int:question_id>/", views.texts, name="texts"),
    path("<slug:slug>/respuestas.csv", views.responses_csv, name="responses_csv"),
]
