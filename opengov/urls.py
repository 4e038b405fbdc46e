app_name = "opengov"
urlpatterns: list = []
