"""The supervisor dashboard under /supervisor/ (filled by the dashboard work)."""

app_name = "dashboard"
urlpatterns = []
