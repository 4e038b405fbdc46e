"""URLs of the empty seat (silla vacía), inside the "council" namespace (/concejo/...)."""

from django.urls import path

from . import views_empty_seat as views

urlpatterns = [
    path("silla-vacia/punto/<int:item_id>/", views.apply, name="empty_seat_apply"),
    path("silla-vacia/solicitud/<int:pk>/", views.done, name="empty_seat_done"),
    path("silla-vacia/solicitud/<int:pk>/retirar/", views.withdraw, name="empty_seat_withdraw"),
    path("silla-vacia/mis-solicitudes/", views.mine, name="empty_seat_mine"),
]
