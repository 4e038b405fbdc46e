"""Rate limits for actions that cost others something or leak something: one place, on top
of django-ratelimit's cache counters (Redis in production, LocMemCache in dev and tests).

A view or form calls `limit(request, group, "5/h", key="user")` (or `limits` for several at
once) before it does the expensive or revealing work. Over the limit it raises
`RateLimited`, a `DomainError` with a translated message, which the caller shows as a form
error: never a 500, never a bare 429 page.

Counters use fixed windows (django-ratelimit's): "5/h" allows five in each clock hour of the
key's window, so at most twice that across a window boundary.

The client address is the one allauth uses for its own login limits (so the proxy settings,
`ALLAUTH_TRUSTED_PROXY_COUNT` or `ALLAUTH_TRUSTED_CLIENT_IP_HEADER`, apply to both), with IPv6
addresses reduced to their /64 network: one household or phone gets one counter, not 2^64.
"""

import ipaddress
from collections.abc import Iterable

from allauth.account.adapter import get_adapter
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from .errors import DomainError

IPV6_PREFIX = 64
KEYS = ("user", "ip", "user_or_ip")


class RateLimited(DomainError):
    """Too many attempts of one action by one account or address."""


def client_ip(request) -> str:
    address = ipaddress.ip_address(get_adapter(request).get_client_ip(request))
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
    return str(address)


def _key_value(request, key: str) -> str:
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    if key == "user" or (key == "user_or_ip" and authenticated):
        if not authenticated:
            raise ValueError("A per-account rate limit needs a logged-in user.")
        return f"user:{user.pk}"
    if key in ("ip", "user_or_ip"):
        return f"ip:{client_ip(request)}"
    raise ValueError(f"Unknown rate-limit key {key!r}; use one of {KEYS}.")


def limit(
    request, group: str, rate: str, *, key: str = "user_or_ip", message: str | None = None
) -> None:
    """Count one attempt of `group` for the request's account or address (`key`); raise
    `RateLimited` once there are more than `rate` ("5/h", "20/d") in the window."""
    limits(request, group, [(key, rate)], message=message)


def limits(
    request, group: str, rates: Iterable[tuple[str, str]], *, message: str | None = None
) -> None:
    """Several limits on one action, e.g. `[("user", "5/h"), ("ip", "20/h")]`. Every counter
    counts the attempt (one account cannot spare its address's counter); one over is enough
    to refuse. A "user" limit is skipped for anonymous requests."""
    user = getattr(request, "user", None)
    refused = False
    for key, rate in rates:
        if key == "user" and not (user and user.is_authenticated):
            continue
        value = _key_value(request, key)
        refused |= is_ratelimited(
            request,
            group=f"{group}:{key}",
            key=lambda _group, _request, value=value: value,
            rate=rate,
            increment=True,
        )
    if refused:
        raise RateLimited(
            message or _("Too many attempts in a short time. Please try again later.")
        )
