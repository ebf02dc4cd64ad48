"""Admin settings under /settings/ (filled by the settings work)."""

app_name = "settings"
urlpatterns = []
