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
    # Any other path under ours (`/ws/asambleas/abc/`, `/ws/asambleas/1/x`) is an unknown
    # assembly, closed with 4404 like a missing one, instead of a routing error.
    re_path(r"^ws/asambleas/", AssemblyConsumer.as_asgi()),
]
