"""Sessions and sign-in throttling hold across two instances and all their workers."""

import pytest

from tests.cluster.conftest import Browser, acknowledged

pytestmark = pytest.mark.cluster


def test_a_session_works_on_both_instances_and_signing_out_on_one_ends_it_on_both(cluster):
    a, b = cluster.a.url, cluster.b.url
    [email] = cluster.take_members(1)
    laptop, phone = Browser(), Browser()
    try:
        assert acknowledged(laptop.sign_in(a, email))
        assert acknowledged(phone.sign_in(b, email))
        # Several requests each, so both workers of each instance are likely to serve one.
        assert all(laptop.signed_in_at(base) for base in (a, b, a, b))
        copied = Browser({"session": laptop.cookie("session")})

        laptop.post(f"{a}/auth/logout")

        for base in (a, b, a, b):
            assert not laptop.signed_in_at(base)
            assert not copied.signed_in_at(base), "a replayed cookie outlived its sign-out"
        # The member's other device is a separate sign-in and carries on.
        assert phone.signed_in_at(a) and phone.signed_in_at(b)
        copied.close()
    finally:
        laptop.close()
        phone.close()


def test_signing_out_everywhere_on_one_instance_ends_every_device_on_both(cluster):
    a, b = cluster.a.url, cluster.b.url
    [email] = cluster.take_members(1)
    laptop, phone = Browser(), Browser()
    try:
        assert acknowledged(laptop.sign_in(a, email))
        assert acknowledged(phone.sign_in(b, email))
        phone.post(f"{b}/account/sign-out-everywhere")
        for base in (a, b):
            assert not laptop.signed_in_at(base)
            assert not phone.signed_in_at(base)
    finally:
        laptop.close()
        phone.close()


def test_the_per_account_sign_in_limit_counts_across_instances_and_workers(cluster):
    a, b = cluster.a.url, cluster.b.url
    attacker, member = Browser(), Browser()
    try:
        target, bystander = cluster.take_members(2)
        bases = [a, b] * 3
        codes = [attacker.sign_in(base, target, "not the password").status_code for base in bases]
        # The limit is 3 (served_app.py). Counted per process, the four workers would
        # allow up to 12 attempts.
        assert codes == [200, 200, 200, 429, 429, 429]
        # Even the right password is refused until the window passes, on either instance.
        assert attacker.sign_in(b, target).status_code == 429
        # Another account is not affected by the attack on this one.
        assert acknowledged(member.sign_in(a, bystander))
    finally:
        attacker.close()
        member.close()
