from connectors.base import ChannelConfig, Connector
from connectors.demo import DemoConnector

CONNECTORS = {DemoConnector.kind: DemoConnector}


def connector_for(channel) -> Connector:
    config = ChannelConfig(
        channel_id=channel.pk,
        credentials=channel.credentials or {},
        listening=channel.listening or {},
        api_base_url=channel.api_base_url,
    )
    return CONNECTORS[channel.kind](config)
