"""A supervisor in real Chromium keeps the dashboard open while a customer's wait runs
past its due time: the breach shows up on the page without a reload."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agents.models import Role
from inbox.actions import ingest, sweep_sla
from inbox.models import Conversation, SLAPolicy
from inbox.sla import default_policy
from tests.factories import PASSWORD, AgentFactory, ChannelFactory, TeamFactory, mention

HOSTILE = "<img src=x onerror=alert(1)>"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def dashboard(page, live_server_url):
    """A supervisor, logged in, with the dashboard open and its socket live."""
    supervisor = AgentFactory(role=Role.SUPERVISOR)
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server_url}/login/?next=/supervisor/")
    page.get_by_label("Username").fill(supervisor.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server_url}/supervisor/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    yield page
    assert dialogs == []
    assert errors == []


def test_a_breach_appears_on_the_open_dashboard_without_a_reload(dashboard):
    page = dashboard
    SLAPolicy.objects.filter(pk=default_policy().pk).update(first_response_target=timedelta(seconds=3))
    ingest(ChannelFactory(), [mention("t1", author="lucia", text=HOSTILE, at=timezone.now())], {})
    conversation = Conversation.objects.get()
    page.evaluate("window.sameDocument = true")
    breached = page.locator("#breached-list")
    expect(page.locator("#now-waiting")).to_have_text("1")  # the arrival itself refreshed Now
    expect(breached).not_to_contain_text(f"#{conversation.pk}")

    while timezone.now() <= conversation.response_due_at:
        time.sleep(0.1)
    assert sweep_sla()["breached"] == 1

    row = breached.locator(f'[data-conversation="{conversation.pk}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("@lucia")
    expect(row.locator(".preview")).to_have_text(HOSTILE)  # shown as text, never run
    expect(row.locator("a")).to_have_attribute("href", f"/inbox/c/{conversation.pk}/")
    expect(page.locator("#now-breached")).to_have_text("1")
    assert page.evaluate("window.sameDocument") is True
    assert page.locator("#now img").count() == 0
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.screenshot(path=SCREENSHOTS / "dashboard-en.png", full_page=True)


def test_what_the_supervisor_ticked_survives_a_live_refresh(dashboard):
    page = dashboard
    team = TeamFactory(name="Billing")
    agent = AgentFactory(teams=[team]).user
    channel = ChannelFactory(default_team=team)
    ingest(channel, [mention("t1", author="lucia", at=timezone.now())], {})  # the event brings the agent's row in
    box = page.locator(f'#agent-{agent.pk} input[name="agent"]')
    expect(box).to_be_visible()
    box.check()
    page.locator("#move-agents").get_by_label("Billing").check()
    page.locator("h1").click()  # focus leaves the form, so a refresh may replace it
    before = page.evaluate("document.getElementById('now').dataset.refreshedAt")

    ingest(channel, [mention("t2", author="mario", at=timezone.now())], {})

    page.wait_for_function("(before) => document.getElementById('now').dataset.refreshedAt !== before", arg=before)
    expect(page.locator("#now-open")).to_have_text("2")
    expect(box).to_be_checked()
    expect(page.locator("#move-agents").get_by_label("Billing")).to_be_checked()
