"""The REST API under /api/: resources, token login, the OpenAPI schema and its docs page.

Reference: docs/api.md; the schema at /api/schema/ and the Redoc page at /api/docs/.
"""

import hashlib

from django.urls import include, path
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import SimpleRateThrottle

from agents.api import AgentViewSet, ConversationViewSet, MetricsView, TeamViewSet
from connectors.api import ChannelViewSet
from inbox.api import ContactViewSet
from socialcare.api_errors import DomainErrors, error_responses


class PasswordGuessThrottle(SimpleRateThrottle):
    """Tries per client address and username: slows password guessing, not people."""

    scope = "token"
    rate = "20/min"

    def get_cache_key(self, request, view):
        username = str(request.data.get("username", "")) if hasattr(request.data, "get") else ""
        digest = hashlib.sha256(username.encode(errors="replace")).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{digest}"}


class TokenView(DomainErrors, ObtainAuthToken):
    throttle_classes = [PasswordGuessThrottle]

    @extend_schema(
        summary="Get an API token",
        description="Username and password in; a token out. Send it as `Authorization: Token <token>`. "
        "The same token comes back on every call until it is deleted.",
        tags=["auth"],
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            **error_responses(400),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


router = DefaultRouter(trailing_slash=True, use_regex_path=False)
router.include_format_suffixes = False
router.include_root_view = False
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("contacts", ContactViewSet, basename="contact")
router.register("channels", ChannelViewSet, basename="channel")
router.register("teams", TeamViewSet, basename="team")
router.register("agents", AgentViewSet, basename="agent")

app_name = "api"
urlpatterns = [
    path("token/", TokenView.as_view(), name="token"),
    path("metrics/", MetricsView.as_view(), name="metrics"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
