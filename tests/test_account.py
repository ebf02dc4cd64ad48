"""Everyone with an inbox changes their own password at /account/password/."""

import pytest

from tests.factories import PASSWORD, AgentFactory

pytestmark = pytest.mark.django_db

NEW = "a-Longer-new-passphrase-42"


@pytest.fixture
def agent(client):
    user = AgentFactory().user
    client.force_login(user)
    return user


def change(client, old, new, again=None):
    return client.post(
        "/account/password/", {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


def test_an_agent_changes_their_own_password(client, agent):
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 302 and response["Location"] == "/account/password/done/"
    agent.refresh_from_db()
    assert agent.check_password(NEW)
    assert client.get("/inbox/").status_code == 200  # still logged in on this browser


def test_the_old_password_must_be_the_right_one(client, agent):
    response = change(client, "not-my-password", NEW)
    assert response.status_code == 200 and 'role="alert"' in response.text
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_the_new_password_must_be_typed_twice_the_same_and_not_be_too_short(client, agent):
    assert 'role="alert"' in change(client, PASSWORD, NEW, again=NEW + "x").text
    assert 'role="alert"' in change(client, PASSWORD, "short").text
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_the_page_is_in_the_agents_language(client, agent):
    agent.agent_profile.language = "es"
    agent.agent_profile.save()
    assert "Cambia tu contraseña" in client.get("/account/password/").text
