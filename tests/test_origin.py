"""Which hosts an opted-in off-site image may never come from: this machine and its networks."""

from __future__ import annotations

import pytest

from crawler.components.origin import internal_address

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("host", [
    "127.0.0.1", "127.1", "127.255.0.9", "2130706433", "0x7f.0.0.1", "0177.0.0.1",  # loopback, in the resolver's forms
    "10.0.0.5", "172.16.3.4", "192.168.1.1", "100.64.0.1",  # private and shared
    "169.254.169.254", "fe80::1",  # link-local (a cloud's metadata service)
    "::1", "[::1]", "::ffff:127.0.0.1", "0.0.0.0", "224.0.0.1",
    "localhost", "LOCALHOST", "admin.localhost", "printer.local", "metadata.google.internal", "localhost.",
])
def test_an_internal_host_is_named_so(host):
    assert internal_address(host) is not None


@pytest.mark.parametrize("host", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "no-such-host.invalid"])
def test_a_public_or_unresolvable_host_is_not(host):
    assert internal_address(host) is None
