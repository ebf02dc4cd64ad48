"""Agents working side by side in real Chromium, in each language: live rows, who is
viewing and typing, canned answers, escalation, snooze, the keyboard, a cut connection."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inbox.actions import ingest, wake_snoozed
from inbox.models import CannedResponse, Conversation
from tests.factories import PASSWORD, AgentFactory, ChannelFactory, TeamFactory, mention

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LANGUAGES = ["en", "es"]


@pytest.fixture
def open_inbox(browser, live_server_url):
    """A logged-in inbox page for an agent, in a browser context of its own."""
    contexts, errors = [], []

    def open_for(agent):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: (errors.append(dialog.message), dialog.dismiss()))
        page.goto(f"{live_server_url}/login/")
        page.fill("#id_username", agent.user.username)
        page.fill("#id_password", PASSWORD)
        page.press("#id_password", "Enter")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        return page

    yield open_for
    for context in contexts:
        context.close()
    assert errors == []


@pytest.fixture
def first_tier():
    return TeamFactory(name="First tier")


@pytest.fixture
def channel(first_tier):
    return ChannelFactory(default_team=first_tier)


def row(page, text):
    return page.locator("#conversation-list .row").filter(has_text=text)


def customer_writes(channel, text, author="lucia"):
    ingest(channel, [mention(author=author, text=text, at=timezone.now())], {})


@pytest.mark.parametrize("language", LANGUAGES)
def test_two_agents_work_one_conversation_live(open_inbox, channel, first_tier, language):
    CannedResponse.objects.update_or_create(
        shortcut="ack",
        defaults={
            "title": "Acknowledge",
            "text_en": "Hi {author_name}, I'm {agent_name} and I'm on it.",
            "text_es": "Hola {author_name}, soy {agent_name} y ya lo reviso.",
        },
    )
    ana = AgentFactory(teams=[first_tier], language=language, user__first_name="Ana", user__last_name="")
    ben = AgentFactory(teams=[first_tier], language=language, user__first_name="Ben", user__last_name="")
    second_tier = TeamFactory(name="Second tier")
    carla = AgentFactory(teams=[second_tier], language=language, user__first_name="Carla", user__last_name="")
    ana_page, ben_page, carla_page = open_inbox(ana), open_inbox(ben), open_inbox(carla)
    assert ana_page.locator("html").get_attribute("lang") == language

    customer_writes(channel, "My router has been down since Monday", author="lucia")
    for page in (ana_page, ben_page):
        expect(row(page, "My router has been down")).to_be_visible()
    assert Conversation.objects.get().assignee == ana.user

    words = ben_page.locator("#live-labels")
    row(ben_page, "My router").locator("a").click()
    row(ana_page, "My router").locator("a").click()
    expect(ben_page.locator(".collision")).to_have_text(f"Ana {words.get_attribute('data-viewing')}")
    ana_page.locator("#reply-text").press_sequentially("Hi")
    expect(ben_page.locator(".collision")).to_have_text(f"Ana {words.get_attribute('data-typing')}")
    ana_page.locator("#reply-text").fill("")

    ana_page.locator("select.canned").select_option("ack")
    filled = "Hi Lucia, I'm Ana and I'm on it." if language == "en" else None
    text = ana_page.locator("#reply-text").input_value()
    assert "Ana" in text and ("Lucia" in text or "lucia" in text)
    if filled:
        assert text == filled
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ana_page.screenshot(path=SCREENSHOTS / f"conversation-{language}.png")
    ana_page.locator("form.composer button[type=submit]").click()
    expect(ben_page.locator("#conversation-pane .message.out")).to_contain_text("I'm on it" if language == "en" else "Ana")
    ben_page.screenshot(path=SCREENSHOTS / f"inbox-{language}.png")

    expect(ana_page.locator("#conversation-pane .message.out .delivery-sent")).to_be_visible()
    ana_page.locator("[data-open=escalate-dialog]").click()
    ana_page.locator("#escalate-dialog select[name=team]").select_option(str(second_tier.pk))
    ana_page.locator("#escalate-dialog textarea[name=reason]").fill("Needs a network engineer")
    ana_page.locator("#escalate-dialog button[type=submit]").click()
    expect(row(ana_page, "My router")).to_have_count(0)
    expect(row(carla_page, "My router")).to_be_visible()


def test_who_is_typing_shows_while_typing(open_inbox, channel, first_tier):
    ana = AgentFactory(teams=[first_tier], user__first_name="Ana", user__last_name="")
    ben = AgentFactory(teams=[first_tier], user__first_name="Ben", user__last_name="")
    ana_page, ben_page = open_inbox(ana), open_inbox(ben)
    customer_writes(channel, "Where is my parcel?")
    for page in (ben_page, ana_page):
        row(page, "Where is my parcel").locator("a").click()
    expect(ben_page.locator(".collision")).to_contain_text("is viewing")
    ana_page.locator("#reply-text").press_sequentially("Let me check")
    expect(ben_page.locator(".collision")).to_contain_text("is typing")


def test_a_snoozed_conversation_leaves_the_list_until_its_time(open_inbox, channel, first_tier):
    ana = AgentFactory(teams=[first_tier])
    page = open_inbox(ana)
    customer_writes(channel, "Call me back tomorrow please")
    row(page, "Call me back").locator("a").click()
    until = timezone.localtime(timezone.now() + timedelta(seconds=3), timezone.get_default_timezone())
    page.locator("[data-open=snooze-dialog]").click()
    page.locator("#snooze-dialog input[name=until]").fill(until.strftime("%Y-%m-%dT%H:%M:%S"))
    page.locator("#snooze-dialog button[type=submit]").click()
    expect(row(page, "Call me back")).to_have_count(0)
    page.wait_for_timeout(3500)
    wake_snoozed()
    expect(row(page, "Call me back")).to_be_visible()


def test_a_keyboard_only_run_goes_from_the_list_to_a_sent_reply(open_inbox, channel, first_tier):
    ana = AgentFactory(teams=[first_tier])
    page = open_inbox(ana)
    customer_writes(channel, "Is anyone there?")
    expect(row(page, "Is anyone there")).to_be_visible()
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#conversation-pane article")).to_be_visible()
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("Yes, we are here.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#conversation-pane .message.out")).to_contain_text("Yes, we are here.")
    expect(row(page, "Is anyone there")).to_contain_text("Answered in")


def test_after_the_connection_drops_and_returns_the_page_shows_what_changed_meanwhile(open_inbox, channel, first_tier, asgi_server):
    ana = AgentFactory(teams=[first_tier])
    page = open_inbox(ana)
    asgi_server.stop()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "offline")
    customer_writes(channel, "Written while you were offline")
    asgi_server.start()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=20000)
    expect(row(page, "Written while you were offline")).to_be_visible()
