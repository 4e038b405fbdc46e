"""WebSocket routes. Live features (assemblies) add their consumers here."""

websocket_urlpatterns: list = []
