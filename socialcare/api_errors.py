"""The one place where errors become API responses.

Every error the API returns is JSON of one shape: `{"detail": "what went wrong"}`, plus
`"errors": {field: [messages]}` when the input did not validate. Domain errors (an action
refusing a request: `inbox.actions.InboxError`, a settings change refused:
`agents.settings_actions.SettingsError`, a network refusing a connection test:
`connectors.base.ConnectorError`) are 400s whose detail is the action's own message.

Enabled globally with `REST_FRAMEWORK["EXCEPTION_HANDLER"] = "socialcare.api_errors.exception_handler"`;
the API's own views also name it themselves (`DomainErrors`), so they answer the same
way whatever the settings say.
"""

from functools import cache

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler


@cache
def domain_errors() -> tuple:
    """Refusals by the domain, whose messages are written for the user. Imported on first
    use: every app's API module imports this one, and it must not pull the apps in."""
    from agents.settings_actions import SettingsError
    from connectors.base import ConnectorError
    from inbox.actions import InboxError

    return (InboxError, SettingsError, ConnectorError)


class DomainError(exceptions.APIException):
    status_code = 400
    default_detail = "The request was refused."
    default_code = "refused"


def exception_handler(exc, context):
    if isinstance(exc, domain_errors()):
        exc = DomainError(str(exc) or DomainError.default_detail)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _summary(exc.detail), "errors": _as_fields(exc.detail)}
    return response


def _as_fields(detail):
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def _summary(detail, prefix=""):
    """The first message, with the field it is about: "text: This field is required."."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            name = "" if field == "non_field_errors" else f"{prefix}{field}"
            return _summary(value, f"{name}." if name else "")
    if isinstance(detail, list):
        for value in detail:
            return _summary(value, prefix)
    if not detail:
        return "Invalid input."
    return f"{prefix.rstrip('.')}: {detail}" if prefix else str(detail)


class DomainErrors:
    """Mixin for API views: errors go through `exception_handler` above."""

    def get_exception_handler(self):
        return exception_handler


class ErrorSerializer(serializers.Serializer):
    """Every error response (for the schema)."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="Per field messages, when the input did not validate."
    )


def error_responses(*codes):
    """Schema entries for the error statuses an operation may answer with."""
    from drf_spectacular.utils import OpenApiResponse

    meaning = {
        400: "Invalid input, or the action refused the request (detail says why).",
        401: "Not authenticated.",
        403: "The user's role does not allow this.",
        404: "No such object, or not one this user may see.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=meaning[code]) for code in codes}
