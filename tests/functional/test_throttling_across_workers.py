"""Sign-in and reset throttles hold across gunicorn workers when they share Redis.

Two separately built apps stand in for two worker processes: each has its own
memory, and only the Redis storage is shared.
"""

import uuid

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def two_workers(make_app):
    prefix = f"lc-test-{uuid.uuid4().hex}"
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
                "LOGIN_LIMIT_PER_ACCOUNT": "3 per 10 minutes", "LOGIN_LIMIT_PER_IP": "100 per minute",
                "RESET_LIMIT_PER_ACCOUNT": "2 per hour"}
    yield make_app(**settings), make_app(**settings)
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    connection.close()


def attempt_sign_in(app, email):
    client = app.test_client()
    return client.submit("/auth/login", {"email": email, "password": "wrong guess"}).status_code


def test_per_account_sign_in_limit_is_shared_by_all_workers(two_workers):
    first, second = two_workers
    codes = [attempt_sign_in(first, "maya@example.org"), attempt_sign_in(second, "maya@example.org"),
             attempt_sign_in(first, "maya@example.org"), attempt_sign_in(second, "maya@example.org")]
    assert codes == [200, 200, 200, 429]
    # Another account is not affected by Maya's attacker.
    assert attempt_sign_in(first, "sam@example.org") == 200


def test_reset_requests_are_limited_per_account_across_workers(two_workers):
    first, second = two_workers
    codes = []
    for app in (first, second, first):
        codes.append(app.test_client().submit("/auth/forgot-password", {"email": "maya@example.org"}).status_code)
    assert codes == [200, 200, 429]


def test_without_shared_storage_each_worker_counts_alone(make_app):
    # The control for the tests above: in-memory counting is per process, which is
    # why production must point RATELIMIT_STORAGE_URI at Redis.
    settings = {"RATELIMIT_STORAGE_URI": "memory://", "LOGIN_LIMIT_PER_ACCOUNT": "3 per 10 minutes"}
    first, second = make_app(**settings), make_app(**settings)
    codes = [attempt_sign_in(app, "maya@example.org") for app in (first, second, first, second)]
    assert codes == [200, 200, 200, 200]
