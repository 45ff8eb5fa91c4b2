"""Sets of tip numbers as bitsets: bit n (byte n // 8, bit n % 8) stands for tip number n.

A chat's rotation cycle is a set of tips; stored one row per tip it cost ~2.5 KB a chat, as
one small BLOB it costs a byte per 8 tip numbers. The encoding is little-endian with no
trailing zero bytes, so every set has exactly one encoding and the empty set is `b""`.

The same pure functions are registered on each connection as deterministic SQL functions
(`register`), so a set changes in one statement, reading its row's own value:
`tip_set_add(set, number)`, `tip_set_union(a, b)` and `tip_set_minus(a, b)`; and
`tip_set_json(set)` lists its numbers as a JSON array, for `json_each` to join on (the votes'
per-tip counts are kept that way: `storage.migrations.votes_by_chat`). A NULL set reads as the
empty set.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

__all__ = [
    "BITS",
    "as_mask",
    "from_mask",
    "numbers_in",
    "register",
    "tip_set",
    "tip_set_add",
    "tip_set_json",
    "tip_set_minus",
    "tip_set_union",
]


def tip_set(numbers: Iterable[int]) -> bytes:
    """The encoding of a set of tip numbers (each ≥ 0)."""
    value = 0
    for number in numbers:
        value |= 1 << number
    return from_mask(value)


#: The bits set in each byte value: decoding a set reads a byte at a time (~5 µs for 80 tips,
# against ~15 bit by bit; a claim reads the set as one integer instead, `as_mask`).
BITS = tuple(tuple(bit for bit in range(8) if value >> bit & 1) for value in range(256))


def numbers_in(encoded: bytes | None) -> set[int]:
    """The tip numbers an encoded set holds."""
    return {
        index * 8 + bit for index, byte in enumerate(encoded or b"") if byte for bit in BITS[byte]
    }


def tip_set_add(encoded: bytes | None, number: int) -> bytes:
    return from_mask(as_mask(encoded) | 1 << number)


def tip_set_union(first: bytes | None, second: bytes | None) -> bytes:
    return from_mask(as_mask(first) | as_mask(second))


def tip_set_minus(first: bytes | None, second: bytes | None) -> bytes:
    """`first` without the numbers in `second`."""
    return from_mask(as_mask(first) & ~as_mask(second))


def tip_set_json(encoded: bytes | None) -> str:
    """The set's numbers as a JSON array, smallest first (`[]` for the empty set)."""
    return "[" + ",".join(map(str, sorted(numbers_in(encoded)))) + "]"


def register(db: Database) -> None:
    """Make the set functions callable from this connection's SQL (a connection forgets
    them when it closes, so every `Store` registers them on the connection it opens)."""
    for function in (tip_set_add, tip_set_union, tip_set_minus, tip_set_json):
        db.register_function(function, deterministic=True, replace=True)


def as_mask(encoded: bytes | None) -> int:
    """The set as one integer, bit n for tip number n (how a rotation pick reads it)."""
    return int.from_bytes(encoded or b"", "little")


def from_mask(value: int) -> bytes:
    """The encoding of the set an integer's bits stand for (the inverse of `as_mask`)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "little")
