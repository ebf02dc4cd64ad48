"""Who is calling: token and session authentication, anonymous callers, the docs."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_token_is_obtained_with_username_and_password(agent):
    response = APIClient().post("/api/token/", {"username": "ana", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=agent).key}


def test_a_wrong_password_gets_no_token_and_a_clear_error(agent):
    response = APIClient().post("/api/token/", {"username": "ana", "password": "guess"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Unable to log in with provided credentials."
    assert not Token.objects.exists()


def test_the_token_authenticates_api_calls(agent, conversation):
    key = APIClient().post("/api/token/", {"username": "ana", "password": PASSWORD}, format="json").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/conversations/{conversation.pk}/").status_code == 200


def test_an_unknown_token_is_a_401(conversation):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get("/api/conversations/").status_code == 401


def test_the_browser_session_authenticates_api_calls(client, agent, conversation):
    assert client.login(username="ana", password=PASSWORD)
    response = client.get(f"/api/conversations/{conversation.pk}/")
    assert response.status_code == 200 and response.json()["id"] == conversation.pk


def test_a_session_write_needs_the_csrf_token(agent, conversation):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post(f"/api/conversations/{conversation.pk}/resolve/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_anonymous_calls_are_a_401_asking_for_a_token():
    response = APIClient().get("/api/conversations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_the_openapi_schema_is_served():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "SocialCare API"
    assert {"/api/conversations/", "/api/conversations/{id}/assign/", "/api/token/", "/api/metrics/"} <= set(schema["paths"])


def test_the_docs_page_is_served():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    assert b"redoc" in response.content.lower() and b"/api/schema/" in response.content
