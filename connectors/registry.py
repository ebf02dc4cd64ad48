from django.conf import settings
from django.utils.module_loading import import_string

from connectors.base import ChannelConfig, Connector

# By dotted path, so a network's client library loads only where that network is used.
CONNECTORS = {
    "demo": "connectors.demo.DemoConnector",
    "twitter": "connectors.twitter.TwitterConnector",
    "facebook": "connectors.facebook.FacebookConnector",
    "discourse": "connectors.discourse.DiscourseConnector",
    "feed": "connectors.feed.FeedConnector",
}


def connector_class(kind):
    return import_string(CONNECTORS[kind])


def connector_for(channel) -> Connector:
    config = ChannelConfig(
        channel_id=channel.pk,
        credentials=channel.credentials or {},
        listening=channel.listening or {},
        api_base_url=channel.api_base_url,
        timeout=settings.CONNECTOR_TIMEOUT,
    )
    return connector_class(channel.kind)(config)
