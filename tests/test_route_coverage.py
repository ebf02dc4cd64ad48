"""Every URL the project serves is tried by a role matrix: the pages' (tests/test_role_matrix.py),
the settings screens' (tests/agents/test_settings.py) or the API's (tests/api/test_role_matrix.py).
A new view without a row there fails here."""

import re

from django.urls import URLResolver, get_resolver, resolve

from tests.agents.test_settings import PAGES as SETTINGS_PAGES
from tests.api.test_role_matrix import MATRIX as API_MATRIX
from tests.test_role_matrix import PAGES

# Routes no role decides, and why.
OPEN_BY_DESIGN = {
    "": "sends everyone to the inbox, which asks who they are",
    "login/": "where everyone starts",
    "logout/": "ends whatever session there is",
    "account/password/done/": "the page after a change, shown to whoever made it",
    "i18n/setlang/": "switching the interface language",
    "webhooks/<int:channel_id>/": "networks call it; the signature decides (tests/connectors)",
    "api/token/": "trades a username and password for a token",
    "api/schema/": "the published OpenAPI description",
    "api/docs/": "the published API documentation",
}


def served_routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from served_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def tried_routes():
    paths = [path for _method, path, _expected in PAGES] + list(SETTINGS_PAGES)
    paths += [path for _name, _method, path, *_rest in API_MATRIX]
    return {resolve(re.sub(r"\{\w+\}", "1", path.split("?")[0])).route for path in paths}


def test_every_route_is_in_a_role_matrix_or_open_by_design():
    served = {route for route in served_routes() if not route.startswith("admin/")}
    untried = served - tried_routes() - set(OPEN_BY_DESIGN)
    assert not untried, f"add these to a role matrix: {sorted(untried)}"
