"""WebSocket routes. Live features (assemblies) add their consumers here."""

from assemblies.routing import websocket_urlpatterns as assembly_websockets

websocket_urlpatterns: list = [*assembly_websockets]
