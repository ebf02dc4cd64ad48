"""The REST API under /api/ (filled by the API work)."""

urlpatterns = []
