"""Password hashing (argon2id) and the password policy.

Policy per NIST SP 800-63B / OWASP ASVS: 8 to 128 characters, no composition
rules, and not one of the commonly used passwords (zxcvbn's list of the 30,000
most common, plus words that are obvious on this site).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 8
MAX_LENGTH = 128
SITE_WORDS = ("lupus", "lupuscommons", "butterfly", "commons", "sle")


def _hasher() -> PasswordHasher:
    c = current_app.config
    return PasswordHasher(time_cost=c["ARGON2_TIME_COST"], memory_cost=c["ARGON2_MEMORY_COST"],
                          parallelism=c["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, still spend the time so timing reveals nothing."""
    hasher = _hasher()
    try:
        if password_hash is None:
            hasher.verify(_dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism),
                          password)
            return False
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                          parallelism=parallelism).hash("not-a-real-password-0000")


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@cache
def _blocklist() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Explain why a password is not acceptable, or return None if it is."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A short sentence is easy to remember."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    stripped = lowered.rstrip("0123456789!?.")
    personal = {email.lower(), email.split("@")[0].lower(), display_name.lower()} - {""}
    if (lowered in _blocklist() or stripped in _blocklist() or stripped in SITE_WORDS
            or lowered in personal or len(set(lowered)) < 3):
        return "That password is too common or too easy to guess. Try a few unrelated words together."
    return None
