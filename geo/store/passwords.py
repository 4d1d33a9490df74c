"""Password hashing with scrypt (hashlib; no 72-byte limit, so long Chinese passwords work).

Stored form: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``. Text is NFC-normalised
first so the same password typed on two keyboards matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata

from geo.errors import ValidationError

#: scrypt cost: the OWASP Password Storage Cheat Sheet's minimum for scrypt (N=2^17, r=8, p=1; 128 MiB,
#: about a third of a second here). Hashes made at a lower cost are replaced at the next sign-in.
N, R, P, DKLEN = 2**17, 8, 1, 32
#: Memory scrypt may use: 128·N·r bytes plus room (OpenSSL refuses a limit at exactly that).
MAXMEM = 256 * 1024 * 1024
MIN_LENGTH = 10
MAX_LENGTH = 256


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def check_strength(password: str) -> None:
    """Refuse passwords that are too short, too long or trivially guessable."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise ValidationError(
            "password.too_short",
            en=f"A password needs at least {MIN_LENGTH} characters (Chinese characters count one each).",
            zh=f"密码至少 {MIN_LENGTH} 个字符（汉字每个算一个）。",
        )
    if len(password) > MAX_LENGTH:
        raise ValidationError("password.too_long", en=f"A password may have at most {MAX_LENGTH} characters.",
                              zh=f"密码最多 {MAX_LENGTH} 个字符。")
    if len(set(password)) < 4:
        raise ValidationError("password.too_simple", en="That password repeats too few characters; choose another.",
                              zh="密码过于简单（重复字符过多），请换一个。")


def hash_password(password: str) -> str:
    """scrypt hash of ``password`` with a fresh 16-byte salt, in the stored form."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(unicodedata.normalize("NFC", password).encode("utf-8"), salt=salt, n=N, r=R, p=P,
                            dklen=DKLEN, maxmem=MAXMEM)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; constant-time compare; False on any malformed input."""
    if not stored or not isinstance(password, str):
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(unicodedata.normalize("NFC", password).encode("utf-8"),
                             salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)), maxmem=MAXMEM)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def needs_rehash(stored: str | None) -> bool:
    """True when ``stored`` was made with a lower cost than the current one (or is not readable)."""
    try:
        scheme, n, r, p, _salt, _digest = (stored or "").split("$")
        return scheme != "scrypt" or int(n) < N or int(r) < R or int(p) < P
    except ValueError:
        return True


#: A hash in the stored form with a random salt and digest, verified against when the user does not
#: exist so that a wrong user and a wrong password take the same time (verifying runs scrypt with the
#: same cost either way). Not computed by scrypt: importing the store costs no 128 MiB, 0.8 s hash.
DUMMY_HASH = f"scrypt${N}${R}${P}${_b64(secrets.token_bytes(16))}${_b64(secrets.token_bytes(DKLEN))}"
