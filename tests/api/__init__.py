"""The REST API: clients and response helpers (the personas are fixtures in conftest.py)."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user=None) -> APIClient:
    """An API client sending the user's token (none: anonymous)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list:
    return [row["id"] for row in results(response)]
