"""Each agent sees the app in their own language and time zone."""

import zoneinfo

from django.utils import timezone, translation


class AgentPreferences:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = getattr(request.user, "agent_profile", None) if request.user.is_authenticated else None
        if profile is None:
            return self.get_response(request)
        translation.activate(profile.language)
        request.LANGUAGE_CODE = profile.language
        try:
            timezone.activate(zoneinfo.ZoneInfo(profile.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", profile.language)
        return response
