"""The staff log's wording: every action code the code base writes reads as a plain sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from community.models.audit import AuditEvent
from community.models.moderation import AppealStatus
from community.moderation import wording
from community.moderation.topic_tools import TOPIC_STATES
from community.trials.curation_admin import REVIEW_ACTIONS

SOURCE = Path(__file__).resolve().parents[2] / "community"
# The first string argument of audit.record(...): "a.b", f"a.{x}", or "a.b" if flag else "a.c".
CALL = re.compile(r'audit\.record\(\s*[^,()]+,\s*(f?)"([^"]+)"(?:\s+if\s+[^,]+?\s+else\s+"([^"]+)")?')
# Codes built with an f-string, and every value their placeholder takes.
EXPANSIONS = {
    "topic.{action}": [f"topic.{a}" for a in TOPIC_STATES],
    "appeal.{decision}": [f"appeal.{s.value}" for s in AppealStatus if s != AppealStatus.OPEN],
    "trials.bullet_{action}": [f"trials.bullet_{a}" for a in (*REVIEW_ACTIONS, "corrected")],
}


def written_codes() -> set[str]:
    codes, unknown = set(), []
    for path in SOURCE.rglob("*.py"):
        for is_f, code, other in CALL.findall(path.read_text(encoding="utf-8")):
            if is_f:
                if code not in EXPANSIONS:
                    unknown.append(f"{path.name}: {code}")
                codes.update(EXPANSIONS.get(code, []))
            else:
                codes.add(code)
            if other:
                codes.add(other)
    assert not unknown, f"tell this test which codes these f-strings write: {unknown}"
    return codes


def event(action: str, **fields) -> AuditEvent:
    return AuditEvent(id=1, action=action, actor_name="Mo", target_name=fields.pop("target_name", "Alex"),
                      reason=fields.pop("reason", ""), before=fields.pop("before", None),
                      after=fields.pop("after", None))


def say(e: AuditEvent) -> str:
    return wording.sentence(wording.Entry(e, wording._Names()))


def test_the_grep_finds_the_codes_it_should():
    codes = written_codes()
    assert {"member.silence", "topic.move", "topic.unhide", "appeal.overturned", "article.unpublish",
            "trials.bullet_corrected", "user.create_admin"} <= codes
    assert len(codes) > 40


def test_every_action_code_written_has_its_own_wording():
    missing = sorted(written_codes() - wording.WORDING.keys())
    assert not missing, f"add plain words for these staff log codes to community/moderation/wording.py: {missing}"


@pytest.mark.parametrize("code", sorted(wording.WORDING))
def test_each_wording_reads_as_words_even_with_little_recorded(code):
    line = say(event(code, reason="because"))
    assert line and line[0].isupper() and code not in line
    assert "None" not in line and "{" not in line and "_" not in line


def test_a_silence_reads_as_a_sentence_with_its_reason():
    e = event("member.silence", reason="spam", before={"silenced_until": None},
              after={"silenced_until": "2026-12-06T12:00:00", "days": 3})
    assert say(e) == "Silenced Alex for 3 days — reason: spam"


def test_a_move_names_the_topic_and_both_categories():
    e = event("topic.move", reason="Fits better", before={"topic_id": 7, "category_id": 1},
              after={"topic_id": 7, "category_id": 2})
    names = wording._Names(topics={7: "Cold hands"}, categories={1: "Symptoms", 2: "Daily life"})
    assert wording.sentence(wording.Entry(e, names)) == \
        "Moved the topic “Cold hands” from Symptoms to Daily life — reason: Fits better"


def test_a_role_change_and_an_appeal():
    assert say(event("user.set_role", reason="Trusted", before={"role": "member"}, after={"role": "admin"})) == \
        "Made Alex an admin (was a member) — reason: Trusted"
    assert say(event("appeal.open", reason="I was quoting", after={"action_id": 3, "kind": "silence"})) == \
        "Alex appealed against a silence — their message: I was quoting"


def test_an_unknown_code_still_reads_as_words():
    assert say(event("test.odd_action", reason="kept")) == "Test odd action (Alex) — reason: kept"
    assert say(event("test.odd_action", target_name=None)) == "Test odd action"


def test_a_deleted_member_is_named_plainly():
    assert say(event("member.warn", target_name=None, reason="rude")) == "Warned a former member — reason: rude"
