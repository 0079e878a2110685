"""A set of document ids kept as one bit each: the portal's article ids are numbers below a few
million, so 100,000 of them take about 12 KB instead of the megabytes a Python set of ints does.
A crawl keeps several such sets (requests seen, articles settled), and none may grow with the site."""

from __future__ import annotations

from collections.abc import Iterable

MAX_ID = 1 << 26  # ids beyond this (8 MiB of bits) are not the portal's


class IdSet:
    """Ids from 0 to ``MAX_ID`` as bits in a byte array that grows as larger ids come."""

    def __init__(self, ids: Iterable[int] = ()):
        self.bits = bytearray()
        self.count = 0
        for site_id in ids:
            if self.holds(site_id):
                self.add(site_id)

    @staticmethod
    def holds(site_id: int | None) -> bool:
        """True for an id this set can keep."""
        return site_id is not None and 0 <= site_id < MAX_ID

    def add(self, site_id: int) -> bool:
        """Add an id; False when it was there already."""
        byte, bit = divmod(site_id, 8)
        if byte >= len(self.bits):
            self.bits.extend(bytes(byte + 1 - len(self.bits) + 4096))
        if self.bits[byte] >> bit & 1:
            return False
        self.bits[byte] |= 1 << bit
        self.count += 1
        return True

    def __contains__(self, site_id: object) -> bool:
        if not isinstance(site_id, int) or not self.holds(site_id):
            return False
        byte, bit = divmod(site_id, 8)
        return byte < len(self.bits) and bool(self.bits[byte] >> bit & 1)

    def __len__(self) -> int:
        return self.count
