"""A realistic community at volume for benchmarks (`flask demo generate`).

Rows go in with bulk INSERTs (Core, in batches), not one ORM object at a time:
members, years of daily check-ins with flare-shaped symptom ratings, flares,
topics and replies with lupus vocabulary, and reactions. The search index is
kept by the database itself (SQLite triggers, PostgreSQL stored tsvector columns).
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, update

from community.db import db, utcnow
from community.models import (
    Category,
    CheckIn,
    Flare,
    HealthProfile,
    InsightsConsent,
    LabResult,
    LabTest,
    Medication,
    Post,
    QueueItem,
    Reaction,
    Symptom,
    SymptomRating,
    Topic,
    Treatment,
    TrialConsent,
    User,
)
from community.models.moderation import ItemKind, ReportReason
from community.models.moderation import Report as PostReport  # this module's Report is the run's
from community.passwords import hash_password
from community.rendering import render

BATCH = 5000
GENERATED_PASSWORD = "generated-member-password"  # noqa: S105 - benchmark accounts only


@dataclass(frozen=True)
class Preset:
    members: int
    days: int
    topics: int
    replies_per_topic: int


PRESETS = {
    # Topics of 20 posts fill one page, so the topic page shows the same 20 posts on both sets.
    "small": Preset(members=200, days=365, topics=500, replies_per_topic=19),
    # Ten times the members and topics; with ~4 ratings a check-in that is ~2.3 million
    # ratings, and 500k posts.
    "large": Preset(members=2000, days=365, topics=5000, replies_per_topic=99),
}

# Lupus-forum vocabulary, most common first. Words are drawn with Zipf-like weights
# (1/rank), as in real writing: a few words are everywhere and most are rare, so a search
# for a typical word matches a realistic share of posts, not a third of the forum.
WORDS = """
    i the and to my a it of is in have for but with on so was not that this be
    tired today fatigue pain flare joint doctor week feel sleep rheumatologist bloods
    hydroxychloroquine prednisone rash hair kidney steroids better work family
    mycophenolate appointment help hope worse morning night month year taper swelling
    brain fog sun nurse clinic infusion side effects nausea mouth ulcers raynauds cold hands
    belimumab anifrolumab complement anti-dsdna nephritis pacing hopeful loss knees wrists
    headache fever chest breath walking stairs garden shower job boss sick days leave
    husband wife partner kids mum dad friends support group diagnosed years ago since
    methotrexate azathioprine tacrolimus voclosporin rituximab cyclophosphamide biopsy
    urine protein creatinine egfr c3 c4 esr crp ana antibodies results normal high low
    dose mg weaning increase started stopped switched plaquenil benlysta saphnelo cellcept
    eye exam retina optician dentist dry eyes skin cream sunscreen hat shade uv malar
    butterfly photosensitive itchy bruising anaemia iron b12 vitamin d bone density
    osteoporosis weight gain moon face insomnia anxiety depression mood counsellor
    pregnancy planning contraception hormones period cycle fertility baby midwife
    travel holiday flight insurance heat summer winter damp weather storm pressure
    exercise yoga swimming physio stretching rest nap spoons energy crash boom bust
    diet gluten dairy anti-inflammatory turmeric fish oil coffee alcohol water hydration
    pharmacy prescription refill cost shortage generic brand trial study research news
    """.split()  # noqa: SIM905 - a paragraph of words reads better than 260 quoted strings



WORD_WEIGHTS = [1 / rank for rank in range(1, len(WORDS) + 1)]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, WORD_WEIGHTS, k=n)).capitalize() + "."


def _batches(rows: Iterator[dict], size: int = BATCH) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Report:
    rows: dict[str, int]
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return sum(self.rows.values()) / self.seconds if self.seconds else 0.0


def generate(
    preset: Preset, *, seed: int = 1, progress: Callable[[str, int], None] = lambda _s, _n: None
) -> Report:
    """Add a generated community of this size (run `flask seed` first for catalogues and categories)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    started = time.perf_counter()
    counts: dict[str, int] = {}
    now = utcnow()
    symptom_ids = list(db.session.scalars(select(Symptom.id).where(Symptom.owner_id.is_(None))))
    category_ids = list(db.session.scalars(select(Category.id)))
    if not symptom_ids or not category_ids:
        raise RuntimeError(
            "run `flask seed` first: generation needs the symptom catalogue and categories"
        )

    tag = secrets.token_hex(3)
    password_hash = hash_password(GENERATED_PASSWORD)
    member_rows = (
        {
            "email": f"gen-{tag}-{i}@example.org",
            "display_name": f"Member {tag}-{i}",
            "password_hash": password_hash,
            "role": "member",
            "time_zone": "Europe/London",
            "email_verified_at": now,
            "terms_accepted_at": now,
            "created_at": now,
            "session_token": secrets.token_urlsafe(32),
            "bio": "",
            "pronouns": "",
            "show_lupus_since": True,
        }
        for i in range(preset.members)
    )
    member_ids: list[int] = []
    for batch in _batches(member_rows):
        member_ids += db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True), batch
        )
        progress("members", len(batch))
    counts["members"] = len(member_ids)

    first_day = date.today() - timedelta(days=preset.days)
    checkins = ratings = flares = 0
    for user_id in member_ids:
        tracked = rng.sample(symptom_ids, k=min(4, len(symptom_ids)))
        flare_days = set()
        for _ in range(max(1, preset.days // 120)):  # a flare or so every four months
            start = first_day + timedelta(days=rng.randrange(preset.days))
            length = rng.randint(5, 20)
            if not any(start + timedelta(days=d) in flare_days for d in range(-3, length + 3)):
                flare_days.update(start + timedelta(days=d) for d in range(length))
                db.session.execute(
                    insert(Flare),
                    [
                        {
                            "user_id": user_id,
                            "start_date": start,
                            "end_date": start + timedelta(days=length - 1),
                            "severity": rng.choice(["mild", "moderate", "severe"]),
                            "symptoms": [],
                            "organs": [],
                            "triggers": [],
                            "actions": [],
                            "notes": "",
                            "created_at": now,
                            "updated_at": now,
                        }
                    ],
                )
                flares += 1
        days = [first_day + timedelta(days=d) for d in range(preset.days) if rng.random() < 0.8]
        rows = [
            {
                "user_id": user_id,
                "day": day,
                "wellbeing": rng.randint(1, 5),
                "sleep_hours": round(rng.uniform(4, 9), 1),
                "triggers": [],
                "custom_trigger": "",
                "medications_taken": [],
                "notes": "",
                "created_at": now,
                "updated_at": now,
            }
            for day in days
        ]
        for batch in _batches(iter(rows)):
            ids = db.session.execute(
                insert(CheckIn).returning(CheckIn.id, CheckIn.day, sort_by_parameter_order=True),
                batch,
            ).all()
            rating_rows = [
                {
                    "checkin_id": checkin_id,
                    "user_id": user_id,
                    "symptom_id": symptom,
                    "severity": min(4, rng.randint(0, 2) + (2 if day in flare_days else 0)),
                }
                for checkin_id, day in ids
                for symptom in tracked
            ]
            for rating_batch in _batches(iter(rating_rows)):
                db.session.execute(insert(SymptomRating), rating_batch)
            checkins += len(ids)
            ratings += len(rating_rows)
        progress("check-ins", 1)
    counts.update(checkins=checkins, symptom_ratings=ratings, flares=flares)

    posts = reactions = 0
    start_time = datetime.now(UTC) - timedelta(days=preset.days)
    for topic_number in range(preset.topics):
        author = rng.choice(member_ids)
        created = start_time + timedelta(minutes=rng.randrange(preset.days * 24 * 60))
        replies = preset.replies_per_topic
        topic_id = db.session.scalar(
            insert(Topic).returning(Topic.id),
            [
                {
                    "category_id": rng.choice(category_ids),
                    "author_id": author,
                    "title": _sentence(rng, rng.randint(4, 9))[:150],
                    "members_only": rng.random() < 0.7,
                    "created_at": created,
                    "last_post_at": created + timedelta(hours=replies),
                    "last_poster_id": author,
                    "last_number": replies + 1,
                    "reply_count": replies,
                }
            ],
        )
        post_rows = []
        for number in range(1, replies + 2):
            body = " ".join(_sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(1, 5)))
            rendered = render(body)
            post_rows.append(
                {
                    "topic_id": topic_id,
                    "number": number,
                    "author_id": author if number == 1 else rng.choice(member_ids),
                    "body_raw": body,
                    "body_html": rendered.html,
                    "body_text": rendered.text,
                    "created_at": created + timedelta(hours=number - 1),
                    "edit_count": 0,
                }
            )
        post_ids = list(
            db.session.scalars(
                insert(Post).returning(Post.id, sort_by_parameter_order=True), post_rows
            )
        )
        reaction_rows = [
            {
                "post_id": post_id,
                "user_id": rng.choice(member_ids),
                "kind": rng.choice(["helpful", "hugs", "me_too"]),
                "created_at": now,
            }
            for post_id in post_ids
            if rng.random() < 0.3
        ]
        unique = {(r["post_id"], r["user_id"], r["kind"]): r for r in reaction_rows}
        if unique:
            db.session.execute(insert(Reaction), list(unique.values()))
        posts += len(post_ids)
        reactions += len(unique)
        if topic_number % 50 == 49:
            db.session.commit()
        progress("topics", 1)
    for category_id in category_ids:
        db.session.execute(
            update(Category)
            .where(Category.id == category_id)
            .values(
                topic_count=select(func.count(Topic.id))
                .where(Topic.category_id == category_id)
                .scalar_subquery(),
                post_count=select(func.count(Post.id))
                .join(Topic, Topic.id == Post.topic_id)
                .where(Topic.category_id == category_id)
                .scalar_subquery(),
            )
        )
    db.session.commit()
    counts.update(topics=preset.topics, posts=posts, reactions=reactions)
    counts.update(_treatments_and_labs(rng, member_ids, first_day, preset.days, now))
    counts.update(_consents_and_reports(rng, member_ids, now))
    counts.update(_profiles(rng, member_ids, now))
    db.session.commit()
    _refresh_planner_statistics()
    return Report(counts, time.perf_counter() - started)


# Every table the generator fills.
FILLED = (User, CheckIn, SymptomRating, Flare, Category, Topic, Post, Reaction, Treatment, LabResult,
          TrialConsent, InsightsConsent, HealthProfile, PostReport, QueueItem)


def _refresh_planner_statistics() -> None:
    """VACUUM ANALYZE the filled tables on PostgreSQL, as its manual advises after a bulk load.

    Until autovacuum gets round to it the planner believes the tables are nearly empty and
    picks plans that take seconds on the large set (a sequential scan of topics inside a
    loop over every search match), and the full-text indexes keep new entries in a pending
    list that every search reads through. SQLite's planner needs no statistics for these plans.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    tables = ", ".join(model.__tablename__ for model in FILLED)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM ANALYZE {tables}")


# Plausible values for the labs a lupus clinic follows, as (slug, low, high).
LAB_RANGES = {"egfr": (45, 110), "creatinine": (50, 140), "c3": (0.5, 1.6), "c4": (0.05, 0.4),
              "anti-dsdna": (5, 300), "upcr": (5, 150)}


def _treatments_and_labs(rng: random.Random, member_ids: list[int], first_day: date, days: int,
                         now: datetime) -> dict[str, int]:
    """Two to four medicines per member (some stopped), and a lab panel about once a month."""
    medications = db.session.execute(select(Medication.id, Medication.name, Medication.default_unit,
                                            Medication.default_frequency)
                                     ).all()
    lab_tests = db.session.execute(select(LabTest.id, LabTest.name, LabTest.unit, LabTest.slug)
                                   ).all()
    panel = [t for t in lab_tests if t.slug in LAB_RANGES]
    treatments, labs = [], []
    for user_id in member_ids:
        for medication in rng.sample(medications, k=min(len(medications), rng.randint(2, 4))):
            start = first_day + timedelta(days=rng.randrange(days // 2))
            stopped = rng.random() < 0.3
            stop = start + timedelta(days=rng.randint(1, max(1, days // 2))) if stopped else None
            treatments.append({"user_id": user_id, "medication_id": medication.id, "name": medication.name,
                               "dose": float(rng.choice([5, 10, 200, 400, 500, 1000])),
                               "unit": medication.default_unit, "frequency": medication.default_frequency,
                               "start_date": start, "stop_date": stop,
                               "stop_reason": "side_effects" if stopped else "", "notes": "",
                               "rating": rng.choice(["", "", "not_at_all", "a_little", "moderately", "a_lot"]),
                               "created_at": now})
        for taken_on in (first_day + timedelta(days=d) for d in range(0, days, 30)):
            for test in panel:
                low, high = LAB_RANGES[test.slug]
                value = round(rng.uniform(low, high), 2)
                labs.append({"user_id": user_id, "lab_test_id": test.id, "name": test.name,
                             "value": value, "value_text": str(value), "unit": test.unit or "",
                             "taken_on": taken_on, "ref_low": None, "ref_high": None, "notes": "",
                             "created_at": now})
    for table, rows in ((Treatment, treatments), (LabResult, labs)):
        for batch in _batches(iter(rows)):
            db.session.execute(insert(table), batch)
    return {"treatments": len(treatments), "lab_results": len(labs)}


def _profiles(rng: random.Random, member_ids: list[int], now: datetime) -> dict[str, int]:
    """Most members give their diagnoses and birth year (community insights group by both)."""
    profiles = []
    for user_id in member_ids:
        if rng.random() < 0.15:
            continue  # this member left their health profile empty
        diagnoses = [dx for dx, share in (("sle", 0.9), ("nephritis", 0.35), ("cutaneous", 0.2))
                     if rng.random() < share]
        profiles.append({"user_id": user_id, "diagnoses": diagnoses or ["cutaneous"],
                         "birth_year": rng.randint(1950, 2005) if rng.random() < 0.8 else None,
                         "updated_at": now})
    for batch in _batches(iter(profiles)):
        db.session.execute(insert(HealthProfile), batch)
    return {"health_profiles": len(profiles)}


def _consents_and_reports(rng: random.Random, member_ids: list[int], now: datetime) -> dict[str, int]:
    """A third of members opted in to trial suggestions, three in five to community insights;
    about one post in 200 was reported."""
    from community.insights.refresh import CONSENT_VERSION as INSIGHTS_CONSENT_VERSION
    from community.trials.consents import CONSENT_VERSION
    from community.trials.matching import CATEGORIES

    consents = [{"user_id": user_id, "version": CONSENT_VERSION, "action": "given",
                 "categories": list(CATEGORIES), "email_updates": False, "created_at": now}
                for user_id in member_ids if rng.random() < 1 / 3]
    for batch in _batches(iter(consents)):
        db.session.execute(insert(TrialConsent), batch)
    contributions = [{"user_id": user_id, "version": INSIGHTS_CONSENT_VERSION, "action": "given", "created_at": now}
                     for user_id in member_ids if rng.random() < 0.6]
    for batch in _batches(iter(contributions)):
        db.session.execute(insert(InsightsConsent), batch)
    posts = db.session.execute(select(Post.id, Post.author_id, Post.body_text)
                               .where(Post.id % 200 == rng.randrange(200))).all()
    reports = 0
    for batch in _batches(iter(posts), size=500):
        item_ids = db.session.scalars(
            insert(QueueItem).returning(QueueItem.id, sort_by_parameter_order=True),
            [{"kind": ItemKind.REPORT.value, "urgent": False, "post_id": post.id, "subject_id": post.author_id,
              "summary": "", "snapshot": post.body_text, "created_at": now} for post in batch]).all()
        db.session.execute(insert(PostReport), [
            {"item_id": item_id, "reporter_id": rng.choice(member_ids), "post_id": post.id,
             "subject_id": post.author_id, "reason": rng.choice(list(ReportReason)).value,
             "note": "", "snapshot": post.body_text, "created_at": now}
            for item_id, post in zip(item_ids, batch, strict=True)])
        reports += len(batch)
    return {"trial_consents": len(consents), "insights_consents": len(contributions), "reports": reports}
