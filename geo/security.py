"""Checks of configured secrets (pure): refuse weak or sample values at start."""

from __future__ import annotations

import math
from collections import Counter

MIN_SECRET_LENGTH = 32
#: Values copied from documentation and templates, and other obvious ones.
SAMPLE_SECRETS = {
    "xxx", "changeme", "change-me", "secret", "password", "your-secret", "your_secret", "yoursecret",
    "some-secret", "mysecret", "cookie_secret", "cookie-secret", "a-strong-random-secret",
    "replace-me", "replace_me", "todo", "test", "example", "default",
}
HOW_TO_MAKE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def weak_secret_reason(value: object) -> str | None:
    """Why ``value`` is not a good secret, or None when it is.

    A good secret has at least 32 characters, is not a known sample value and
    has enough variety (Shannon entropy of at least 3.5 bits per character).
    """
    if not isinstance(value, str) or not value.strip():
        return "empty"
    v = value.strip()
    if v.lower() in SAMPLE_SECRETS or any(s in v.lower() for s in ("changeme", "your-secret", "xxxx", "replace")):
        return "a sample value"
    if len(v) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    counts = Counter(v)
    entropy = -sum(n / len(v) * math.log2(n / len(v)) for n in counts.values())
    if entropy < 3.5:
        return "too little variety (repeated characters)"
    return None
