"""An agent in real Chromium: live arrivals, a reply, and hostile text shown as text."""

import pytest
from playwright.sync_api import expect

from inbox.actions import ingest
from inbox.models import Conversation
from tests.factories import PASSWORD, AgentFactory, ChannelFactory, TeamFactory, mention

HOSTILE = ["<img src=x onerror=alert(1)>", "<script>alert('owned')</script>"]


@pytest.fixture
def agent_page(page, live_server_url):
    """An online agent of the channel's team, logged in and watching the inbox."""
    team = TeamFactory()
    agent = AgentFactory(teams=[team])
    channel = ChannelFactory(default_team=team)
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server_url}/login/")
    page.get_by_label("Username").fill(agent.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    yield page, channel
    assert dialogs == []
    assert errors == []


def test_a_new_mention_appears_without_reload_and_the_agent_answers_it(agent_page):
    page, channel = agent_page
    ingest(channel, [mention("t1", author="lucia", text="My router has been down since Monday")], {})

    row = page.locator("#conversation-list .row").filter(has_text="My router has been down")
    expect(row).to_be_visible()
    expect(row).to_contain_text("@lucia")
    row.click()
    page.get_by_label("Message", exact=True).fill("Sorry about that, Lucia. We're on it.")
    page.get_by_role("button", name="Send").click()

    expect(row).to_contain_text("Answered in")
    expect(page.locator("#conversation-pane .answered")).to_be_visible()
    expect(page.locator("#conversation-pane .message.out")).to_contain_text("We're on it.")
    assert Conversation.objects.get().sla_state == "met"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_shows_as_text_and_runs_nothing(agent_page, text):
    page, channel = agent_page
    ingest(channel, [mention("t1", author="mallory", text=text)], {})

    row = page.locator("#conversation-list .row").filter(has_text=text)
    expect(row).to_be_visible()
    row.click()
    expect(page.locator("#conversation-pane .message.in .text")).to_have_text(text)
    assert page.locator("#conversation-pane img, #conversation-list img").count() == 0
