"""Admin settings under /settings/ (admin role only): see docs/settings.md."""

from django.urls import path

from agents import settings_views as views

app_name = "settings"
urlpatterns = [
    path("", views.index, name="index"),
    # Channels
    path("channels/", views.channels, name="channels"),
    path("channels/new/<str:kind>/", views.channel_create, name="channel-create"),
    path("channels/<int:pk>/", views.channel_edit, name="channel-edit"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel-test"),
    path("channels/<int:pk>/pause/", views.channel_pause, name="channel-pause"),
    path("channels/<int:pk>/resume/", views.channel_resume, name="channel-resume"),
    # Teams and agents
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_edit, name="team-edit"),
    path("agents/", views.agents, name="agents"),
    path("agents/invite/", views.agent_invite, name="agent-invite"),
    path("agents/<int:user_id>/", views.agent_edit, name="agent-edit"),
    path("agents/<int:user_id>/deactivate/", views.agent_deactivate, name="agent-deactivate"),
    path("agents/<int:user_id>/reactivate/", views.agent_reactivate, name="agent-reactivate"),
    # SLA policies and business calendars
    path("sla/", views.sla_policies, name="sla"),
    path("sla/new/", views.sla_policy_form, name="sla-create"),
    path("sla/<int:pk>/", views.sla_policy_form, name="sla-edit"),
    path("sla/<int:pk>/move/", views.sla_policy_move, name="sla-move"),
    path("sla/<int:pk>/delete/", views.sla_policy_delete, name="sla-delete"),
    path("calendars/", views.calendars, name="calendars"),
    path("calendars/new/", views.calendar_form, name="calendar-create"),
    path("calendars/<int:pk>/", views.calendar_form, name="calendar-edit"),
    path("calendars/<int:pk>/delete/", views.calendar_delete, name="calendar-delete"),
    # Routing rules
    path("rules/", views.routing_rules, name="rules"),
    path("rules/new/", views.routing_rule_form, name="rule-create"),
    path("rules/preview/", views.routing_preview, name="rule-preview"),
    path("rules/<int:pk>/", views.routing_rule_form, name="rule-edit"),
    path("rules/<int:pk>/move/", views.routing_rule_move, name="rule-move"),
    path("rules/<int:pk>/delete/", views.routing_rule_delete, name="rule-delete"),
    # Canned responses
    path("canned/", views.canned_responses, name="canned"),
    path("canned/new/", views.canned_response_form, name="canned-create"),
    path("canned/<int:pk>/", views.canned_response_form, name="canned-edit"),
    path("canned/<int:pk>/delete/", views.canned_response_delete, name="canned-delete"),
    path("labels/", views.labels, name="labels"),
    path("labels/new/", views.label_form, name="label-create"),
    path("labels/<int:pk>/", views.label_form, name="label-edit"),
    path("labels/<int:pk>/delete/", views.label_delete, name="label-delete"),
    # Audit log
    path("audit/", views.audit_log, name="audit"),
]
