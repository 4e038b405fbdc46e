"""URLs of the empty seat (silla vacía): FOUNDATION STUB."""

urlpatterns: list = []
