"""A worker killed with SIGKILL in the middle of a poll: the poll is redone, nothing lost."""

import signal

import pytest

from connectors.tasks import poll_channel
from inbox.models import Message
from tests.conftest import wait_for
from tests.factories import ChannelFactory
from tests.fakes.twitter import FakeX, channel_settings

MENTIONS = r"/2/users/\d+/mentions"


@pytest.mark.django_db(transaction=True)
def test_a_poll_whose_worker_is_killed_is_redone_and_stores_every_mention_once(worker_process):
    with FakeX(page_size=2) as fake:
        written = sorted(fake.add_mention(text=f"Order {n} is late") for n in range(5))
        channel = ChannelFactory(**channel_settings(fake))
        fake.hang_next(60, path=MENTIONS, after=1)  # the second page never comes
        doomed = worker_process()
        poll_channel.delay(channel.pk)
        wait_for(lambda: len(fake.requests_to("GET", MENTIONS)) == 2, 60, "the poll to reach page two")

        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        assert not Message.objects.exists()

        worker_process()  # acks are late: the task comes back once its visibility timeout passes
        wait_for(lambda: Message.objects.filter(channel=channel).count() == 5, 90, "the redone poll")
        assert sorted(Message.objects.values_list("external_id", flat=True)) == written
