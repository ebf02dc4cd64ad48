from django.contrib import admin

from connectors.models import Channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enabled", "health", "last_success_at", "consecutive_failures"]
    list_filter = ["kind", "enabled", "health"]
    # Credentials are write-only: never shown back, not even to admins.
    exclude = ["credentials", "cursor"]
    readonly_fields = ["health", "last_polled_at", "last_success_at", "last_error", "consecutive_failures"]
