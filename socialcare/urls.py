from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from connectors import webhooks

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inbox:home", permanent=False)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("inbox/", include("inbox.urls")),
    path("inbox/", include("agents.inbox_urls")),
    path("supervisor/", include("agents.dashboard_urls")),
    path("settings/", include("agents.settings_urls")),
    path("api/", include("socialcare.api_urls")),
    path("webhooks/<int:channel_id>/", webhooks.receive, name="webhook"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
