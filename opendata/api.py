"""The read-only open-data API at /api/v1/ (being written)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Quito Decide", version="1", urls_namespace="api-v1")
