from django.contrib import admin

from agents.models import AgentProfile, Team

admin.site.register(Team)


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "capacity", "presence", "last_seen_at"]
    list_filter = ["role", "presence", "teams"]
    filter_horizontal = ["teams"]
