"""Case-insensitive matching of the API routes, as ASP.NET Core routing does.

Werkzeug matches paths case-sensitively, so a WSGI middleware rewrites the
literal segments of a request path to the spelling of the route they match.
Route parameters such as a product code keep the case the client sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterable
from typing import TYPE_CHECKING
from typing import Any

from werkzeug.routing import Map

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment

ROUTE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?[^<>]+>")


class RoutePattern:
    """A route as a regular expression whose literal parts ignore case."""

    def __init__(self, rule: str) -> None:
        body = rule.rstrip("/")
        self.literals = ROUTE_PARAMETER.split(body)
        self.parameter_count = len(self.literals) - 1
        parts = [re.escape(literal) for literal in self.literals]
        regex = "([^/]+)".join(parts) + "(/?)"
        self.regex = re.compile(regex, re.IGNORECASE)

    def canonicalize(self, path: str) -> str | None:
        """Return path with the route's spelling, or None if it does not match."""
        match = self.regex.fullmatch(path)
        if match is None:
            return None

        pieces = [self.literals[0]]
        for index in range(self.parameter_count):
            pieces += [match[index + 1], self.literals[index + 1]]
        pieces.append(match[self.parameter_count + 1])

        return "".join(pieces)


class CaseInsensitiveRoutes:
    """WSGI middleware that canonicalizes the paths of selected url_map rules."""

    def __init__(
        self,
        app: WSGIApplication,
        url_map: Map,
        include: Callable[[str], bool],
    ) -> None:
        self.app = app
        self.url_map = url_map
        self.include = include
        self.patterns: list[RoutePattern] | None = None

    def compile_patterns(self) -> list[RoutePattern]:
        rules = {
            rule.rule
            for rule in self.url_map.iter_rules()
            if self.include(rule.endpoint)
        }
        patterns = [RoutePattern(rule) for rule in rules]
        # Literal segments win over parameters, as in ASP.NET Core: a path
        # such as /api/v1/fgo/product/search is the Search route, not an id.
        patterns.sort(key=lambda pattern: (pattern.parameter_count, pattern.literals))

        return patterns

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if self.patterns is None:
            self.patterns = self.compile_patterns()

        path = environ.get("PATH_INFO", "")
        for pattern in self.patterns:
            canonical = pattern.canonicalize(path)
            if canonical is not None:
                environ["PATH_INFO"] = canonical
                break

        return self.app(environ, start_response)


def install_case_insensitive_routes(app: Any, endpoint_prefix: str) -> None:
    """Wrap app.wsgi_app so the rules of one blueprint match in any case."""
    app.wsgi_app = CaseInsensitiveRoutes(
        app.wsgi_app,
        app.url_map,
        lambda endpoint: endpoint.startswith(endpoint_prefix),
    )
