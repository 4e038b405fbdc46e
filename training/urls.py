from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("plan/<slug:slug>/", views.plan, name="plan"),
    path("sesion/<int:pk>/", views.session_detail, name="session"),
    path("sesion/<int:pk>/inscrito/", views.registered, name="registered"),
    path("inscripcion/<str:token>/cancelar/", views.cancel, name="cancel"),
    path("certificados/verificar/", views.verify, name="verify"),
    path("certificados/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificados/<str:code>/", views.certificate, name="certificate"),
]
