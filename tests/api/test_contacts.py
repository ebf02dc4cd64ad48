"""/api/contacts/: the people who write to us, as far as the user may see them."""

import pytest

from tests.api import client_for, ids
from tests.factories import ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db
URL = "/api/contacts/"


def test_an_agent_lists_the_authors_of_the_conversations_they_may_see(agent, conversation, other_team):
    ConversationFactory(channel__default_team=other_team)
    assert ids(client_for(agent).get(URL)) == [conversation.contact_id]


def test_a_supervisor_lists_every_contact(supervisor, conversation):
    stranger = ContactFactory()
    assert sorted(ids(client_for(supervisor).get(URL))) == sorted([conversation.contact_id, stranger.pk])


@pytest.mark.parametrize("q", ["GRACE", "Kim |"])
def test_contacts_are_searched_by_handle_or_name(supervisor, q):
    ContactFactory(handle="dan_writes", name="Dan Whitfield")
    grace = ContactFactory(handle="gadgetgrace", name="Grace Kim | Gadget Reviews")
    assert ids(client_for(supervisor).get(URL, {"q": q})) == [grace.pk]


def test_a_contact_shows_their_profile(agent, conversation):
    contact = conversation.contact
    contact.followers, contact.verified, contact.profile_url = 48200, True, "https://x.com/techconmarta"
    contact.save()
    body = client_for(agent).get(f"{URL}{contact.pk}/").json()
    assert (body["handle"], body["followers"], body["verified"]) == (contact.handle, 48200, True)
    assert body["profile_url"] == "https://x.com/techconmarta" and body["platform"] == "demo"


def test_a_contact_outside_the_users_conversations_is_a_404(outsider, conversation):
    assert client_for(outsider).get(f"{URL}{conversation.contact_id}/").status_code == 404
