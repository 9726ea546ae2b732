"""Random token strings for codes, access tokens and refresh tokens."""

from __future__ import annotations

import os
import string

#: The alphabet of authlib's ``generate_token``, so tokens keep their format.
TOKEN_ALPHABET = string.ascii_letters + string.digits

# Bytes below 248 (4 × 62) map evenly onto the alphabet; larger ones are
# dropped, so every character is uniformly distributed.
_BYTE_LIMIT = 256 - 256 % len(TOKEN_ALPHABET)
_BYTE_TO_CHARACTER = bytes.maketrans(
    bytes(range(_BYTE_LIMIT)),
    bytes(ord(TOKEN_ALPHABET[i % len(TOKEN_ALPHABET)]) for i in range(_BYTE_LIMIT)),
)
_REJECTED_BYTES = bytes(range(_BYTE_LIMIT, 256))


def generate_token(length: int) -> str:
    """Return ``length`` random letters and digits from the OS's CSPRNG.

    authlib 1.9's ``generate_token`` makes one ``os.urandom`` call per
    character, about 8 % of the server's CPU per code flow in a py-spy
    profile. This makes one call per token.
    """
    token = b""
    while len(token) < length:
        token += os.urandom(length + 8).translate(_BYTE_TO_CHARACTER, _REJECTED_BYTES)
    return token[:length].decode("ascii")
