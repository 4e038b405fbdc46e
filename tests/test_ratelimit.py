"""The shared rate-limit module: counts per account and per address, a translated
DomainError over the limit, addresses as allauth sees them (proxy settings included),
IPv6 grouped by /64."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory, override_settings

from quitodecide import ratelimit
from quitodecide.errors import DomainError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def request_from(address, user=None, **meta):
    request = RequestFactory().post("/", REMOTE_ADDR=address, **meta)
    request.user = user or AnonymousUser()
    return request


def attempts(request, n, rates=(("user", "3/h"), ("ip", "5/h"))):
    """How many of n attempts pass."""
    passed = 0
    for _ in range(n):
        try:
            ratelimit.limits(request, "tests.action", list(rates))
        except ratelimit.RateLimited:
            continue
        passed += 1
    return passed


def test_per_account_then_per_address():
    first, second = UserFactory(), UserFactory()
    assert attempts(request_from("192.0.2.1", first), 4) == 3
    # The refused attempt counted on the address too: 4 of its 5 are used.
    assert attempts(request_from("192.0.2.1", second), 3) == 1
    # Refused attempts count as well: the second account has used its three.
    assert attempts(request_from("192.0.2.9", second), 1) == 0
    assert attempts(request_from("192.0.2.9", UserFactory()), 1) == 1
    # Anonymous requests have no account counter; their address counts.
    assert attempts(request_from("192.0.2.50"), 7) == 5


def test_over_the_limit_is_a_translated_domain_error():
    request = request_from("192.0.2.7", UserFactory())
    ratelimit.limit(request, "tests.one", "1/h", key="user")
    with pytest.raises(DomainError, match="Demasiados intentos"):
        ratelimit.limit(request, "tests.one", "1/h", key="user")
    with pytest.raises(DomainError, match="Espere"):
        ratelimit.limit(request, "tests.one", "1/h", key="user", message="Espere.")
    # Groups are separate counters.
    ratelimit.limit(request, "tests.two", "1/h", key="user")


def test_ipv6_addresses_share_a_counter_per_64_network():
    assert attempts(request_from("2001:db8:1:2::1"), 3, [("ip", "2/h")]) == 2
    assert attempts(request_from("2001:db8:1:2:ffff::9"), 1, [("ip", "2/h")]) == 0
    assert attempts(request_from("2001:db8:1:3::1"), 1, [("ip", "2/h")]) == 1


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_client_address_counts_not_the_proxy():
    proxy = "10.0.0.1"
    for client in ("198.51.100.1", "198.51.100.2"):
        request = request_from(proxy, HTTP_X_FORWARDED_FOR=client)
        assert attempts(request, 3, [("ip", "2/h")]) == 2
    assert ratelimit.client_ip(request_from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.3")) == (
        "198.51.100.3"
    )
