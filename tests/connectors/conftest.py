# The fixtures that run a network's fake for the tests parametrized over every network.
from tests.connectors.networks import network, network_channel  # noqa: F401
