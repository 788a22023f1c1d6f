"""Every URL pattern of the project, walked from the root resolver, for the security tests.

Tests built on this list cover pages added later by any app without being edited: a new pattern that the
security registry does not know makes them fail until someone decides who may open it.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "payments:details"
    pattern: URLPattern
    route: str  # the full route text, e.g. "payments/<int:payment_id>/"

    @property
    def params(self) -> list[str]:
        return list(self.pattern.pattern.converters)

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""

    @property
    def callback(self):
        return self.pattern.callback

    @property
    def csrf_exempt(self) -> bool:
        return bool(getattr(self.callback, "csrf_exempt", False))


def _walk(patterns, namespace: str = "", prefix: str = ""):
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, text)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {text}>"
            yield Route(name=name, pattern=pattern, route=text)


def all_routes() -> list[Route]:
    return sorted(_walk(get_resolver().url_patterns), key=lambda route: route.name)


def project_routes() -> list[Route]:
    """The project's own pages: Django's admin has its own guard (OTP) and its own tests below."""
    return [route for route in all_routes() if route.namespace != "admin"]


def admin_routes() -> list[Route]:
    return [route for route in all_routes() if route.namespace == "admin"]
