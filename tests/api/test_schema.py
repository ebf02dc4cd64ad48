"""The OpenAPI schema says what the API does: generated without warnings, and every
operation answers as documented when schemathesis calls it with generated requests."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from agents.models import Role
from inbox.models import Direction, Label, Message, Status, Visibility
from tests.api import client_for
from tests.factories import AgentFactory, ChannelFactory, ContactFactory, ConversationFactory, TeamFactory


@pytest.mark.django_db
def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    call_command("spectacular", file=str(tmp_path / "schema.yaml"), validate=True, fail_on_warn=True)
    assert "/api/conversations/{id}/escalate/" in (tmp_path / "schema.yaml").read_text()


@pytest.fixture
def seeded(django_db_reset_sequences):
    """A small inbox whose ids start at 1, so generated ids often name real objects."""
    support, billing = TeamFactory(name="Support"), TeamFactory(name="Billing")
    channel = ChannelFactory(name="Demo brand", default_team=support)  # the demo network: nothing leaves the machine
    admin = AgentFactory(role=Role.ADMIN, user__username="admin").user
    agent = AgentFactory(teams=[support], user__username="ana", online=True).user
    AgentFactory(role=Role.SUPERVISOR, teams=[support, billing], user__username="sofia")
    vip = Label.objects.create(name="vip")
    for n, status in enumerate([Status.OPEN, Status.OPEN, Status.PENDING, Status.RESOLVED, Status.SNOOZED]):
        conversation = ConversationFactory(
            channel=channel, contact=ContactFactory(), status=status, assignee=agent if n % 2 else None
        )
        conversation.labels.add(vip)
        Message.objects.create(
            conversation=conversation,
            channel=channel,
            direction=Direction.INBOUND,
            visibility=Visibility.PUBLIC,
            external_id=f"seed-{n}",
            author_contact=conversation.contact,
            text=f"Where is my order {n}?",
        )
    return admin


@pytest.fixture
def wsgi_app():
    """The Django app as a WSGI callable that keeps the test's database connection, as
    Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(seeded, wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)


@pytest.fixture
def admin_headers(seeded):
    token = client_for(seeded)  # creates the admin's token
    return {"Authorization": token._credentials["HTTP_AUTHORIZATION"]}


# "Test connection" calls the channel's network, and generated channels may point anywhere.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=r"/test/$")


@schema.parametrize()
@settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_without_server_errors_and_as_its_schema_says(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error, response_schema_conformance])
