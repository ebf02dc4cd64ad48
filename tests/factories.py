import functools
from datetime import timedelta

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from agents.models import AgentProfile, Presence, Role, Team
from connectors.base import Author, Mention
from connectors.models import Channel, ChannelKind
from inbox.models import Contact, Conversation

PASSWORD = "correct horse battery"


def _hashed(raw):
    return _hashed_with(raw, tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _hashed_with(raw, hashers):
    return make_password(raw)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    # Hashing is slow on purpose; one hash per distinct password serves every test user.
    password = factory.Transformer(PASSWORD, transform=_hashed)


class AgentFactory(factory.django.DjangoModelFactory):
    """An agent profile; `teams=[...]` joins teams, `online=True` makes them available."""

    class Meta:
        model = AgentProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = Role.AGENT
    capacity = 5

    class Params:
        online = factory.Trait(presence=Presence.ONLINE, sockets=1, last_seen_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def teams(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.teams.set(extracted)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    kind = ChannelKind.DEMO
    name = factory.Sequence(lambda n: f"Channel {n}")
    default_team = factory.SubFactory(TeamFactory)
    listening = factory.LazyFunction(lambda: {"rate_per_minute": 60, "first_batch": 1})


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    platform = "demo"
    platform_id = factory.Sequence(lambda n: f"contact-{n}")
    handle = factory.Sequence(lambda n: f"customer{n}")
    name = factory.Faker("name")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    channel = factory.SubFactory(ChannelFactory)
    contact = factory.SubFactory(ContactFactory)
    team = factory.SelfAttribute("channel.default_team")


_sequence = iter(range(1, 10**9))


def mention(external_id=None, author="author-1", text="My order never arrived", parent="", at=None, **fields):
    """A normalized mention as a connector would hand it over."""
    return Mention(
        external_id=external_id or f"m-{next(_sequence)}",
        author=Author(platform_id=author, handle=author.replace("-", "_"), name=author.title(), followers=120),
        text=text,
        created_at=at or timezone.now() - timedelta(seconds=5),
        parent_external_id=parent,
        **fields,
    )
