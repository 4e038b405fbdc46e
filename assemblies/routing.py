"""WebSocket routes of live assemblies. The project's ASGI router wraps every WebSocket in
AllowedHostsOriginValidator; sessions and users are added here for our route only."""

from channels.auth import AuthMiddlewareStack
from django.urls import re_path

from .consumers import AssemblyConsumer

websocket_urlpatterns = [
    re_path(
        r"^ws/asambleas/(?P<assembly_id>[0-9]+)/$",
        AuthMiddlewareStack(AssemblyConsumer.as_asgi()),
    ),
]
