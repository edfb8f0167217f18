"""How the webhooks feature refuses, with its words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput, Refused


class WebhookInvalid(InvalidInput):
    """An endpoint the administrator typed cannot be accepted; ``field`` names the input."""

    messages = {
        "url_required": _l("Enter the address that receives the events."),
        "url_invalid": _l("Enter a full address such as https://example.com/hooks."),
        "https_required": _l("The address must start with https://."),
        "address_not_public": _l("The address must be reachable on the internet."),
        "events_required": _l("Choose at least one event."),
        "too_many_endpoints": _l("An organisation may register at most 10 endpoints."),
    }


class WebhookRefused(Refused):
    messages = {
        "endpoint_removed": _l("This endpoint was removed; its deliveries cannot be sent again."),
    }
