"""The IP mask shown beside every comment, as GotoKnow shows it."""

from __future__ import annotations

import pytest

from app.comments.services import mask_ip

MASKS = [
    # IPv4: the first octet is hidden.
    ("203.157.44.226", "xxx.157.44.226"),
    ("192.0.2.1", "xxx.0.2.1"),
    (" 10.0.0.1 ", "xxx.0.0.1"),
    # IPv6, full and compressed: the first four groups are hidden, the rest written without leading zeros.
    ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "xxxx:xxxx:xxxx:xxxx:0:8a2e:370:7334"),
    ("2001:db8:85a3::8a2e:370:7334", "xxxx:xxxx:xxxx:xxxx:0:8a2e:370:7334"),
    ("2001:db8::1", "xxxx:xxxx:xxxx:xxxx:0:0:0:1"),
    ("::1", "xxxx:xxxx:xxxx:xxxx:0:0:0:1"),
    ("2001:DB8::A:B:C:D", "xxxx:xxxx:xxxx:xxxx:a:b:c:d"),
    # A zone id names a local interface; it is not shown.
    ("fe80::1%eth0", "xxxx:xxxx:xxxx:xxxx:0:0:0:1"),
    # IPv4-mapped IPv6 (dual-stack sockets) is shown as the IPv4 address it is.
    ("::ffff:203.157.44.226", "xxx.157.44.226"),
    ("::ffff:cb9d:2ce2", "xxx.157.44.226"),
    # Garbage never leaks through.
    ("not-an-ip", "xxx"),
    ("999.1.1.1", "xxx"),
    ("1.2.3.4:8080", "xxx"),
    ("<script>alert(1)</script>", "xxx"),
    # Nothing stored, nothing shown.
    (None, ""),
    ("", ""),
    ("   ", ""),
    # Already masked (imported pages): unchanged.
    ("xxx.157.44.226", "xxx.157.44.226"),
    ("xxxx:xxxx:xxxx:xxxx:0:8a2e:370:7334", "xxxx:xxxx:xxxx:xxxx:0:8a2e:370:7334"),
]


@pytest.mark.parametrize(("address", "expected"), MASKS)
def test_mask_ip(address, expected):
    assert mask_ip(address) == expected


@pytest.mark.parametrize(("address", "expected"), MASKS)
def test_mask_ip_is_idempotent(address, expected):
    assert mask_ip(mask_ip(address)) == expected


@pytest.mark.parametrize("address", ["203.157.44.226", "2001:db8:85a3::8a2e:370:7334", "::ffff:203.157.44.226"])
def test_mask_hides_the_leading_part(address):
    masked = mask_ip(address)
    assert "203" not in masked
    assert "2001" not in masked
    assert "db8" not in masked
