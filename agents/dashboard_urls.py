"""The supervisor dashboard under /supervisor/."""

from django.urls import path

from agents import dashboard

app_name = "dashboard"
urlpatterns = [
    path("", dashboard.home, name="home"),
    path("now/", dashboard.now, name="now"),
    path("export/conversations.csv", dashboard.export_conversations, name="export-conversations"),
    path("export/responses.csv", dashboard.export_responses, name="export-responses"),
    path("reassign/", dashboard.reassign, name="reassign"),
    path("agents/teams/", dashboard.move_agents, name="move-agents"),
    path("agents/<int:user_id>/presence/", dashboard.set_presence, name="presence"),
]
