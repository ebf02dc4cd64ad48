"""Every network's fake behind one face, for tests that must hold on each of them.

Each entry says how that network words the faults these tests script: its rate limit,
its refusal of a reply, its answer to expired credentials.
"""

import importlib
import json
import time
from dataclasses import dataclass
from types import ModuleType

import pytest

from tests.factories import ChannelFactory


@dataclass(frozen=True)
class Network:
    name: str
    fake_class: str
    reply_path: str  # the request that posts a reply

    def rate_limit(self, fake, seconds):
        """The network's next answer says: wait `seconds`."""
        reset = int(time.time()) + seconds
        if self.name == "twitter":
            fake.fail_next(429, headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"})
        elif self.name == "facebook":
            usage = {fake.page_id: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": seconds // 60}]}
            error = self.module.graph_error(32, "Page request limit reached", headers={"X-Business-Use-Case-Usage": json.dumps(usage)})
            fake.fail_next(error.status, error.body, error.headers)
        else:
            body = {"errors": ["You’ve performed this action too many times."], "error_type": "rate_limit", "extras": {"wait_seconds": seconds}}
            fake.fail_next(429, body)

    def small_pages(self, fake):
        """One item a page, so a poll reads several pages."""
        if self.name == "discourse":
            fake.latest_page_size = 1
        else:
            fake.page_size = 1

    def refuse_reply(self, fake):
        if self.name == "twitter":
            fake.fail_next(403, self.module.problem(403, self.module.DUPLICATE_CONTENT), path=self.reply_path)
        elif self.name == "facebook":
            error = self.module.graph_error(100, "(#100) Unsupported post request.", kind="GraphMethodException")
            fake.fail_next(error.status, error.body, path=self.reply_path)
        else:
            fake.fail_next(422, {"errors": ["Body is too similar to what you recently posted"]}, path=self.reply_path)

    def expire_credentials(self, fake):
        if self.name == "twitter":
            fake.fail_next(401, self.module.problem(401, "Unauthorized", title="Unauthorized"))
        elif self.name == "facebook":
            error = self.module.graph_error(190, "Error validating access token: Session has expired.")
            fake.fail_next(error.status, error.body)
        else:
            fake.fail_next(403, {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"})

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(f"tests.fakes.{self.name}")

    def another_account(self, fake, **credentials):
        """Channel settings for another account (Page, X user) of the same app: Meta and X
        send both accounts' activity to the one callback URL the app has."""
        settings = self.module.channel_settings(fake)
        account = {"facebook": "page_id", "twitter": "user_id"}[self.name]
        return {
            **settings,
            "credentials": {**settings["credentials"], **credentials},
            "listening": {**settings["listening"], account: "2000000002"},
        }


NETWORKS = {
    "twitter": Network("twitter", "FakeX", r"/2/tweets"),
    "facebook": Network("facebook", "FakeGraph", r".*/comments"),
    "discourse": Network("discourse", "FakeDiscourse", r"/posts\.json"),
}
PUSHING = REPLYING = POLLING = list(NETWORKS)
ONE_URL_PER_APP = ["twitter", "facebook"]


@dataclass
class Running:
    """A network's fake server, up for one test."""

    network: Network
    fake: object

    @property
    def module(self):
        return self.network.module

    def __getattr__(self, name):
        return getattr(self.network, name)


@pytest.fixture
def network(request):
    spec = NETWORKS[request.param]
    with getattr(spec.module, spec.fake_class)() as fake:
        yield Running(spec, fake)


@pytest.fixture
def network_channel(network):
    return ChannelFactory(**network.module.channel_settings(network.fake))
