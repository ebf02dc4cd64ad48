"""What inbox pages need to know of teams and agents, without the inbox importing agents."""

from django import template

from agents.models import AgentProfile, Team

register = template.Library()


@register.simple_tag
def all_teams():
    return Team.objects.all()


@register.simple_tag
def colleagues():
    """Agents someone may hand a conversation to, with their presence."""
    return AgentProfile.objects.select_related("user").filter(user__is_active=True).order_by("user__first_name", "user__username")
