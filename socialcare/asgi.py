"""HTTP and websockets in one ASGI application.

In the embedded mode (no Redis) the periodic jobs run inside this process, started by the
ASGI lifespan, so that the in-memory channel layer and the jobs share one event loop.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialcare.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from socialcare.routing import websocket_urlpatterns  # noqa: E402
from socialcare.lifespan import lifespan  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        "lifespan": lifespan,
    }
)

# What is loaded by now lives as long as the process. Frozen, the cyclic garbage collector
# stops walking it on each full collection: a pause of 50-80 ms in the middle of a request,
# seen with bench/dashboard.py.
gc.freeze()
