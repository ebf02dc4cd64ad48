"""The rows a live update pushes, rendered for one viewer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox.access import viewer_for
from inbox.consumers import render_rows
from inbox.selectors import ListQuery
from tests.factories import AgentFactory, ConversationFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_an_update_naming_many_conversations_renders_them_from_one_query_in_its_order():
    team = TeamFactory()
    agent = AgentFactory(teams=[team])
    ours = [ConversationFactory(channel__default_team=team, team=team) for _ in range(3)]
    theirs = ConversationFactory(team=TeamFactory())
    ids = [ours[2].pk, theirs.pk, ours[0].pk, ours[1].pk]
    viewer = viewer_for(agent.user)
    with CaptureQueriesContext(connection) as queries:
        rows = render_rows(viewer, ids, ListQuery())
    assert [conversation_id for conversation_id, _row, _mine in rows] == ids
    assert [row is not None for _id, row, _mine in rows] == [True, False, True, True]
    assert len(queries) == 2  # the rows, and their labels
