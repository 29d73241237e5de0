"""双报到 at the city's scale (issue 15): 720,000 registered in-service party members, 100,000
service activities a year. Times the report to an employer with 10,000 members, the idle of a
large community, a member's record and the reads a community's page will make.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuishao_bench_dual \\
        .venv/bin/python bench/dual.py

PostgreSQL only, in a database of its own (default chuishao_bench_dual on 127.0.0.1, created
when missing). It migrates the database; on a fresh one it runs seed_demo (the 16 districts,
the demo's streets and communities) and adds bench.rankings' 基准 streets up to --streets.

Then, unless --skip-load, it empties every 双报到 table (TRUNCATE … CASCADE: the demo's units,
members, activities and what refers to them go too, so every run loads the same synthetic data)
and deletes the bench's own accounts (usernames bd_…), and loads with set-based SQL (INSERT …
SELECT over generate_series, in one transaction, the secondary indexes of the big tables dropped
and created again):

- communities up to about --communities, in the streets' proportions (lognormal weights,
  seeded; 基准NNN社区), one culture space and two needs each;
- --units party units, each registered with a street (confirmed); the first one has --big
  members, the others share the rest (skewed: a few units with thousands, most with tens);
- --members accounts (bd_m_…), each a PartyMember with one open confirmed registration made
  400-1,100 days ago, one in twenty with an earlier, ended (moved) registration elsewhere; the
  communities are skewed too (the largest has about 2,000 members, the smallest about 70);
- --activities over the last 12 months and --upcoming in the next 30 days, in proportion to
  the communities' members; one in fifty cancelled; 1-4 hours, 20-40 places;
- 5-25 sign-ups per activity that is not cancelled (about 1.5 M), by members registered with
  its community; of the past activities' sign-ups, 5 % cancelled, 80 % checked in with the
  activity's hours.

ANALYZE after loading. --scale multiplies every volume not given (--scale 0.02 for a quick run).

The timings (one warm-up, then best and median of --runs), each with its number of SQL queries:
feedback.ensure_reports for the current quarter (once: the nightly run making every unit's row);
feedback.employer_figures for the big unit, the quarter and the year; feedback.report_xlsx of its
quarter's report (and the year's); dual.idle_members for the largest community over the quarter;
dual.service_record for a busy member; and the reads a community's page will need (its upcoming
activities with the places left, its members' list with this year's activities and hours; the
page does not exist yet). The same counts for the smallest unit, community and an idle member,
which must be equal: exit 1 if they differ. A figure slower than --slow seconds gets EXPLAIN
(ANALYZE, BUFFERS) of its slowest query (--explain: always). A figure still running after
--timeout seconds (statement_timeout) is cancelled and reported with the plain EXPLAIN of the
query cancelled, not timed: exit 3 then.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.frontline import (  # noqa: E402
    allocate,
    captured,
    ensure_database,
    explain,
    load_average,
    say,
    secondary_indexes,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chuishao_bench_dual"
PREFIX = "bd_"  # the bench's accounts

VOLUMES = {  # option: (default, what it counts)
    "communities": (7000, "communities (about, at least the ones there)"),
    "units": (20000, "party units, each registered with a street"),
    "big": (10000, "members of the largest unit"),
    "members": (720_000, "registered in-service party members, with accounts"),
    "activities": (100_000, "service activities over the last 12 months"),
    "upcoming": (8000, "service activities in the next 30 days"),
}

DUAL_TABLES = (
    "community_employerreport",
    "community_signup",
    "community_serviceactivity",
    "community_communityneed",
    "community_culturespace",
    "community_memberregistration",
    "community_partymember",
    "community_unitregistration",
    "community_partyunit",
)
BIG_TABLES = (
    "community_signup",
    "community_serviceactivity",
    "community_memberregistration",
    "community_partymember",
)

USERS_SQL = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                           is_staff, is_active, date_joined, full_name, phone)
SELECT '!', false, %(prefix)s || lpad(i::text, 7, '0'), '', '', '', false, true, now(),
       %(label)s || i, ''
FROM generate_series(1, %(n)s) AS i
"""

UNITS_SQL = """
INSERT INTO community_partyunit (name, party_organisation, kind, central, contact_name,
                                 contact_phone, contact_user_id, created_at)
SELECT '基准单位' || lpad(i::text, 5, '0'), '基准单位' || lpad(i::text, 5, '0') || '党支部',
       (ARRAY['government', 'state_enterprise', 'private_enterprise', 'school', 'social_org',
              'other'])[1 + i %% 6],
       i %% 50 = 0, '联系人' || i, '010' || lpad(i::text, 8, '0'), NULL, now() - interval '3 years'
FROM generate_series(1, %(units)s) AS i;

CREATE TEMP TABLE bench_unit ON COMMIT DROP AS
SELECT id, (row_number() OVER (ORDER BY id))::int AS rn FROM community_partyunit;
CREATE UNIQUE INDEX ON bench_unit (rn);
ANALYZE bench_unit;

INSERT INTO community_unitregistration (unit_id, street_id, status, registered_at, confirmed_at,
                                        confirmed_by_id, ended_at)
SELECT u.id, s.street_id, 'confirmed', now() - interval '2 years',
       now() - interval '2 years' + interval '3 days', NULL, NULL
FROM bench_unit u JOIN bench_street s ON s.rn = 1 + (u.rn * 7919) %% %(streets)s;
"""

MEMBERS_SQL = """
CREATE TEMP TABLE bench_user ON COMMIT DROP AS
SELECT u.id AS user_id, i AS n
FROM generate_series(1, %(members)s) AS i
JOIN accounts_user u ON u.username = 'bd_m_' || lpad(i::text, 7, '0');

-- the first unit has the --big first members; the others share the rest, skewed
INSERT INTO community_partymember (user_id, name, phone, address, employer_id, created_at)
SELECT m.user_id, '党员' || m.n, '138' || lpad(m.n::text, 8, '0'), (m.n %% 60 + 1) || '号楼',
       u.id, now() - interval '3 years'
FROM (
    SELECT user_id, n, CASE WHEN n <= %(big)s THEN 1
                            ELSE 2 + floor((%(units)s - 1) * power(random(), 2))::int END AS urn
    FROM bench_user
) m JOIN bench_unit u ON u.rn = LEAST(m.urn, %(units)s);

-- the community of each member, skewed over the communities in a shuffled order
CREATE TEMP TABLE bench_pm ON COMMIT DROP AS
SELECT p.id AS member_id, c.id AS community_id, c.street_id,
       now() - make_interval(days => 400 + floor(random() * 700)::int) AS registered_at
FROM (
    SELECT id, 1 + floor(%(comms)s * power(random(), 1.5))::int AS crn
    FROM community_partymember
) p JOIN bench_comm c ON c.rn = LEAST(p.crn, %(comms)s);
ANALYZE bench_pm;

INSERT INTO community_memberregistration (member_id, community_id, street_id, status,
                                          registered_at, confirmed_at, confirmed_by_id,
                                          ended_at, end_reason)
SELECT member_id, community_id, street_id, 'confirmed', registered_at,
       registered_at + interval '2 days', NULL, NULL, ''
FROM bench_pm;
-- one in twenty moved here from another community
INSERT INTO community_memberregistration (member_id, community_id, street_id, status,
                                          registered_at, confirmed_at, confirmed_by_id,
                                          ended_at, end_reason)
SELECT p.member_id, c.id, c.street_id, 'ended', now() - interval '4 years',
       now() - interval '4 years' + interval '2 days', NULL,
       p.registered_at - interval '1 day', 'moved'
FROM bench_pm p JOIN bench_comm c ON c.rn = 1 + (p.member_id * 31) %% %(comms)s
WHERE p.member_id %% 20 = 7 AND c.id <> p.community_id;

CREATE TEMP TABLE bench_cm ON COMMIT DROP AS
SELECT community_id, member_id,
       (row_number() OVER (PARTITION BY community_id ORDER BY member_id) - 1)::int AS k
FROM bench_pm;
CREATE UNIQUE INDEX ON bench_cm (community_id, k);
ANALYZE bench_cm;
CREATE TEMP TABLE bench_cc ON COMMIT DROP AS
SELECT community_id, count(*)::int AS n FROM bench_pm GROUP BY community_id;
ANALYZE bench_cc;
"""

PLACES_SQL = """
INSERT INTO community_culturespace (community_id, name, kind, address, capacity)
SELECT c.id, '基准社区客厅', 'living_room', '', 40 FROM bench_comm c;
INSERT INTO community_communityneed (community_id, title, category, description, published_at,
                                     published_by_id, closed_at)
SELECT c.id, (ARRAY['独居老人陪伴', '青少年课后托管'])[k], (ARRAY['elderly', 'children'])[k], '',
       now() - interval '13 months', %(staff)s, NULL
FROM bench_comm c CROSS JOIN generate_series(1, 2) AS k;
"""

# Past activities start on a day of the last 365 (8:00-17:30 Beijing, on the half hour) and are
# over by now; upcoming ones on a day of the next 30. The communities as the members: skewed.
ACTIVITIES_SQL = """
INSERT INTO community_serviceactivity (community_id, title, description, need_id, space_id,
                                       place, starts_at, ends_at, capacity, published_at,
                                       published_by_id, cancelled_at)
SELECT c.id,
       (ARRAY['陪伴独居老人', '社区环境清洁', '青少年课后辅导', '法律知识讲座', '垃圾分类宣传'])
           [1 + a.i %% 5],
       '', CASE WHEN a.i %% 3 = 0 THEN nd.id END, CASE WHEN a.i %% 2 = 0 THEN sp.id END,
       CASE WHEN a.i %% 2 = 0 THEN '' ELSE '小区广场' END,
       a.starts, a.starts + make_interval(hours => 1 + a.i %% 4), 20 + a.i %% 21,
       a.starts - interval '7 days', %(staff)s,
       CASE WHEN a.i %% 50 = 0 THEN a.starts - interval '1 day' END
FROM (
    SELECT i, 1 + floor(%(comms)s * power(random(), 1.5))::int AS crn,
           (CASE WHEN i <= %(past)s
                 THEN %(today)s::date - 1 - floor(random() * 365)::int
                 ELSE %(today)s::date + 1 + floor(random() * 30)::int END
            + make_interval(mins => 480 + 30 * floor(random() * 20)::int))::timestamp
               AT TIME ZONE 'Asia/Shanghai' AS starts
    FROM generate_series(1, %(past)s + %(upcoming)s) AS i
) a
JOIN bench_comm c ON c.rn = LEAST(a.crn, %(comms)s)
JOIN community_culturespace sp ON sp.community_id = c.id
JOIN LATERAL (SELECT id FROM community_communityneed n WHERE n.community_id = c.id
              ORDER BY id LIMIT 1) nd ON true;
"""

# 5-25 members of the activity's community (random, a member once), on activities not
# cancelled; past activities: 5 %% cancelled places, 80 %% checked in with the activity's hours.
SIGNUPS_SQL = """
INSERT INTO community_signup (activity_id, member_id, signed_up_at, cancelled_at, checked_in_at,
                              checked_in_by_id, hours)
SELECT x.activity_id, m.member_id, x.signed,
       CASE WHEN x.u < 0.05 THEN x.signed + interval '1 hour' END,
       CASE WHEN x.past AND x.u >= 0.05 AND x.u < 0.85 THEN x.starts_at + interval '10 minutes' END,
       CASE WHEN x.past AND x.u >= 0.05 AND x.u < 0.85 THEN %(staff)s END,
       CASE WHEN x.past AND x.u >= 0.05 AND x.u < 0.85
            THEN round((extract(epoch FROM x.ends_at - x.starts_at) / 3600)::numeric, 1) END
FROM (
    SELECT a.id AS activity_id, a.community_id, a.starts_at, a.ends_at, a.ends_at <= now() AS past,
           floor(random() * cc.n)::int AS k, random() AS u,
           LEAST(a.starts_at - make_interval(hours => 1 + floor(random() * 150)::int),
                 now() - interval '1 minute') AS signed
    FROM community_serviceactivity a
    JOIN bench_cc cc ON cc.community_id = a.community_id
    CROSS JOIN LATERAL generate_series(1, LEAST(a.capacity, cc.n,
                                                5 + floor(random() * 21)::int)) AS g
    WHERE a.cancelled_at IS NULL
) x
JOIN bench_cm m ON m.community_id = x.community_id AND m.k = x.k
ON CONFLICT (activity_id, member_id) DO NOTHING;
"""


def plan(args, street_ids: list[int]) -> dict[int, int]:
    """Every street's share of the communities: lognormal weights, seeded."""
    rng = random.Random(args.seed)
    weights = [rng.lognormvariate(0, 0.55) for _ in street_ids]
    return dict(zip(street_ids, allocate(args.communities, weights, 3), strict=True))


def purge(cursor) -> None:
    """The 双报到 tables emptied, and the bench's own accounts gone."""
    cursor.execute(f"TRUNCATE {', '.join(DUAL_TABLES)} RESTART IDENTITY CASCADE")
    like = PREFIX.replace("_", r"\_") + "%"
    cursor.execute(
        "DELETE FROM accounts_membership WHERE user_id IN "
        "(SELECT id FROM accounts_user WHERE username LIKE %s)",
        [like],
    )
    cursor.execute("DELETE FROM accounts_user WHERE username LIKE %s", [like])


def generate(args, shares: dict[int, int], today) -> float:
    from django.db import connection, transaction

    started = time.monotonic()

    def step(label, sql, extra=None):
        t = time.monotonic()
        cursor.execute(sql, {**params, **(extra or {})})  # always formatted: %% is %
        say(f"  {label:44} {time.monotonic() - t:7.1f} s")

    params = {"today": today}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SELECT setseed(0.15)")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        if superuser:  # the foreign keys hold by construction: skip their per-row triggers
            cursor.execute("SET LOCAL session_replication_role = replica")
        t = time.monotonic()
        purge(cursor)
        say(f"  {'双报到 emptied, bench accounts deleted':44} {time.monotonic() - t:7.1f} s")
        indexes = secondary_indexes(cursor, BIG_TABLES)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        ids = list(shares)
        cursor.execute(
            """
            CREATE TEMP TABLE bench_street ON COMMIT DROP AS
            SELECT t.*, (row_number() OVER (ORDER BY t.street_id))::int AS rn
            FROM unnest(%s::bigint[], %s::int[]) AS t (street_id, communities)
            """,
            [ids, [shares[pk] for pk in ids]],
        )
        step(
            "communities up to the streets' shares",
            """
            INSERT INTO accounts_community (street_id, name, kind)
            SELECT s.street_id, '基准' || lpad(n::text, 3, '0') || '社区',
                   CASE WHEN st.kind IN ('town', 'township') THEN 'village' ELSE 'community' END
            FROM bench_street s JOIN accounts_street st ON st.id = s.street_id
            CROSS JOIN LATERAL (SELECT count(*)::int AS have FROM accounts_community c
                                WHERE c.street_id = s.street_id) AS h
            CROSS JOIN LATERAL generate_series(h.have + 1, s.communities) AS n
            """,
        )
        # every community of the streets, numbered in a shuffled (but fixed) order
        cursor.execute(
            """
            CREATE TEMP TABLE bench_comm ON COMMIT DROP AS
            SELECT id, street_id, (row_number() OVER (ORDER BY md5(id::text)))::int AS rn
            FROM accounts_community WHERE street_id IN (SELECT street_id FROM bench_street);
            CREATE UNIQUE INDEX ON bench_comm (rn);
            ANALYZE bench_comm;
            SELECT count(*) FROM bench_comm;
            """
        )
        params["comms"] = cursor.fetchone()[0]
        params["streets"] = len(ids)
        step("the staff account", USERS_SQL, {"prefix": PREFIX + "staff_", "label": "社区", "n": 1})
        cursor.execute(
            "SELECT id FROM accounts_user WHERE username = %s", [PREFIX + "staff_0000001"]
        )
        params["staff"] = cursor.fetchone()[0]
        step("spaces and needs", PLACES_SQL)
        step(f"{args.units:,} units and their registrations", UNITS_SQL, {"units": args.units})
        step(
            f"{args.members:,} member accounts",
            USERS_SQL,
            {"prefix": PREFIX + "m_", "label": "党员", "n": args.members},
        )
        step(
            "members and registrations",
            MEMBERS_SQL,
            {"members": args.members, "units": args.units, "big": min(args.big, args.members)},
        )
        step(
            f"{args.activities + args.upcoming:,} activities",
            ACTIVITIES_SQL,
            {"past": args.activities, "upcoming": args.upcoming},
        )
        step("sign-ups and check-ins", SIGNUPS_SQL)
        t = time.monotonic()
        if not superuser:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            cursor.execute(definition)
        label = f"{len(indexes)} indexes created again"
        say(f"  {label:44} {time.monotonic() - t:7.1f} s")
    with connection.cursor() as cursor:
        t = time.monotonic()
        for table in (*DUAL_TABLES, "accounts_user", "accounts_community"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        say(f"  {'VACUUM ANALYZE':44} {time.monotonic() - t:7.1f} s")
    return time.monotonic() - started


def counts() -> dict[str, int]:
    from django.db import connection

    queries = {
        "communities": "SELECT count(*) FROM accounts_community",
        "party units": "SELECT count(*) FROM community_partyunit",
        "unit registrations": "SELECT count(*) FROM community_unitregistration",
        "members": "SELECT count(*) FROM community_partymember",
        "open confirmed registrations": "SELECT count(*) FROM community_memberregistration"
        " WHERE status = 'confirmed'",
        "ended registrations": "SELECT count(*) FROM community_memberregistration"
        " WHERE status = 'ended'",
        "communities with members": "SELECT count(DISTINCT community_id)"
        " FROM community_memberregistration WHERE status = 'confirmed'",
        "activities": "SELECT count(*) FROM community_serviceactivity",
        "activities, past 12 months": "SELECT count(*) FROM community_serviceactivity"
        " WHERE starts_at < now()",
        "activities cancelled": "SELECT count(*) FROM community_serviceactivity"
        " WHERE cancelled_at IS NOT NULL",
        "sign-ups": "SELECT count(*) FROM community_signup",
        "checked in": "SELECT count(*) FROM community_signup WHERE checked_in_at IS NOT NULL",
        "hours served": "SELECT coalesce(sum(hours), 0)::bigint FROM community_signup",
        "community_signup, MB": "SELECT pg_total_relation_size('community_signup') / 1048576",
        "community_memberregistration, MB": "SELECT"
        " pg_total_relation_size('community_memberregistration') / 1048576",
        "community_partymember, MB": "SELECT"
        " pg_total_relation_size('community_partymember') / 1048576",
    }
    out = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            out[name] = cursor.fetchone()[0]
    return out


def explain_plain(sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        for (line,) in cursor.fetchall():
            say(f"      {line}")


# --- the reads a community's page will make (the page does not exist yet) ----------------------


def upcoming_activities(community, now, limit=50) -> list:
    """The community's coming and running activities, each with the places taken and left, in
    one query. An activity lasts at most a day (dual.ACTIVITY_LONGEST): bounding starts_at
    lets the (community, starts_at) index do the range."""
    from django.db.models import Count, F, Q

    from community.dual import ACTIVITY_LONGEST
    from community.models import ServiceActivity

    return list(
        ServiceActivity.objects.filter(
            community=community,
            cancelled_at=None,
            starts_at__gt=now - ACTIVITY_LONGEST,
            ends_at__gt=now,
        )
        .select_related("space")
        .annotate(taken=Count("sign_ups", filter=Q(sign_ups__cancelled_at=None)))
        .annotate(left=F("capacity") - F("taken"))
        .order_by("starts_at", "pk")[:limit]
    )


def community_members(community, start, end) -> list:
    """The community's members (open registrations), name and employer, with the activities and
    hours of their check-ins at activities started in [start, end), in one query."""
    from django.db.models import Count, Q, Sum

    from community.choices import RegistrationStatus
    from community.models import MemberRegistration

    served = Q(
        member__sign_ups__checked_in_at__isnull=False,
        member__sign_ups__activity__starts_at__gte=start,
        member__sign_ups__activity__starts_at__lt=end,
    )
    return list(
        MemberRegistration.objects.filter(community=community)
        .exclude(status=RegistrationStatus.ENDED)
        .select_related("member", "member__employer")
        .annotate(
            activities=Count("member__sign_ups", filter=served),
            hours=Sum("member__sign_ups__hours", filter=served),
        )
        .order_by("member__name", "pk")
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streets", type=int, default=343, help="streets and townships")
    for name, (default, text) in VOLUMES.items():
        parser.add_argument(f"--{name}", type=int, default=None, help=f"{text} ({default:,})")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiplies every volume not given"
    )
    parser.add_argument("--seed", type=int, default=15, help="the streets' sizes")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up")
    parser.add_argument("--slow", type=float, default=1.0, help="EXPLAIN a figure past this")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN every figure's slowest query"
    )
    parser.add_argument(
        "--timeout", type=int, default=60, help="statement_timeout of the figures, seconds"
    )
    parser.add_argument(
        "--skip-load", action="store_true", help="time the data already in the database"
    )
    args = parser.parse_args(argv)
    for name, (default, _text) in VOLUMES.items():
        if getattr(args, name) is None:
            setattr(args, name, max(1, round(default * args.scale)))

    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abc")
    os.environ.setdefault("DEMO_PASSWORD", secrets.token_urlsafe(18))
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.setdefault("VAR_DIR", "var/bench")
    if urlparse(os.environ["DATABASE_URL"]).scheme not in ("postgres", "postgresql", "pgsql"):
        print("bench/dual.py needs PostgreSQL (DATABASE_URL).")
        return 2
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import OperationalError, connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Community, District
    from bench.rankings import ensure_streets
    from community import dual, feedback
    from community.choices import RegistrationStatus
    from community.models import (
        EmployerReport,
        MemberRegistration,
        PartyMember,
        PartyUnit,
        SignUp,
    )
    from core.periods import BEIJING, parse_period

    t = time.monotonic()
    call_command("migrate", verbosity=0)
    if not District.objects.exists():
        call_command("seed_demo", verbosity=0)
    street_ids = ensure_streets(args.streets)
    say(f"migrated, {len(street_ids)} streets ready in {time.monotonic() - t:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        shown = []
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
            cursor.execute(f"SHOW {name}")
            shown.append(f"{name}={cursor.fetchone()[0]}")
    say(
        f"database {connection.settings_dict['NAME']} ({version}; {', '.join(shown)}), "
        f"{os.cpu_count()} cores, DEBUG={settings.DEBUG}, load average {load_average()}"
    )

    now = timezone.now()
    today = timezone.localdate(now, BEIJING)
    if args.skip_load:
        if not PartyMember.objects.filter(user__username__startswith=PREFIX).exists():
            say("--skip-load: the database holds no bench members; run once without it")
            return 2
        say("--skip-load: timing the data in place")
    else:
        say(
            f"loading: about {args.communities:,} communities, {args.units:,} units (the largest "
            f"with {args.big:,} members), {args.members:,} members, {args.activities:,} past and "
            f"{args.upcoming:,} upcoming activities (today {today})"
        )
        seconds = generate(args, plan(args, street_ids), today)
        say(f"loaded in {seconds:.1f} s")
    for name, n in counts().items():
        say(f"  {name:34} {n:>12,}")

    quarter = feedback.period_of(now, "quarter")
    year = feedback.period_of(now, "year")
    q_start, q_end = parse_period(quarter).bounds
    y_start, y_end = parse_period(year).bounds

    # the cases: the largest and smallest unit, community; a busy and an idle member
    units = (
        PartyUnit.objects.annotate(n=Count("members"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .values_list("pk", "n")
    )
    (big_pk, big_n), (small_pk, small_n) = units.first(), units.last()
    big, small = PartyUnit.objects.get(pk=big_pk), PartyUnit.objects.get(pk=small_pk)
    communities = (
        MemberRegistration.objects.filter(status=RegistrationStatus.CONFIRMED)
        .values("community_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "community_id")
        .values_list("community_id", "n")
    )
    (large_pk, large_n), (little_pk, little_n) = communities.first(), communities.last()
    large, little = Community.objects.get(pk=large_pk), Community.objects.get(pk=little_pk)
    busy_pk, busy_n = (
        SignUp.objects.filter(checked_in_at__isnull=False, activity__starts_at__gte=y_start)
        .values("member_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "member_id")
        .values_list("member_id", "n")
        .first()
    )
    busy = PartyMember.objects.get(pk=busy_pk)
    idle = (
        PartyMember.objects.filter(user__username__startswith=PREFIX)
        .exclude(pk__in=SignUp.objects.values("member_id"))
        .order_by("pk")
        .first()
    ) or PartyMember.objects.exclude(pk=busy_pk).order_by("pk").first()
    say(f"periods {quarter} [{q_start:%Y-%m-%d}, {q_end:%Y-%m-%d}) and {year}")
    say(f"largest unit #{big.pk} {big.name}: {big_n:,} members; smallest #{small.pk}: {small_n}")
    say(
        f"largest community #{large.pk} {large.name}: {large_n:,} members; "
        f"smallest #{little.pk}: {little_n}"
    )
    say(f"busiest member #{busy.pk}: {busy_n} check-ins in {year}; idle member #{idle.pk}")

    say(f"ensure_reports({quarter}) (once each; load average {load_average()})")
    for run in ("first", "second"):
        started = time.perf_counter()
        made, queries = captured(lambda: feedback.ensure_reports(quarter))
        say(
            f"  {run} run: {made:,} reports made in {time.perf_counter() - started:.3f} s, "
            f"{len(queries)} queries"
        )

    def report_of(unit, period):
        report = EmployerReport.objects.select_related("unit").filter(unit=unit, period=period)
        if report.exists():
            return report.get()
        start, end = parse_period(period).bounds  # not saved: the live preview, as a row
        return EmployerReport(unit=unit, period=period, starts_at=start, deadline=end)

    reports = {(u.pk, p): report_of(u, p) for u in (big, small) for p in (quarter, year)}

    def xlsx(unit, period):
        def run():
            content = feedback.report_xlsx(reports[unit.pk, period])
            return content

        return run

    def idle_list(community, start, end):
        return lambda: list(dual.idle_members([community], start, end))

    # the pages themselves, through Django's test client (the whole request: middleware,
    # sessions, context processors, templates), as the city's administrator and as the member
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    office_user, _made = get_user_model().objects.get_or_create(
        username=f"{PREFIX}admin", defaults={"is_superuser": True, "is_staff": True}
    )
    office, member_browser = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    office.force_login(office_user)
    member_browser.force_login(busy.user)

    def page(client, name, *args):
        url = reverse(name, args=args)

        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        return run

    big_report = reports[big.pk, quarter]
    if big_report.pk is None:
        big_report.save()

    say(f"timing ({args.runs} runs after one warm-up, load average before {load_average()})")
    cases = [
        ("employer_figures, big unit, quarter", lambda: feedback.employer_figures(big, quarter)),
        (
            "employer_figures, small unit, quarter",
            lambda: feedback.employer_figures(small, quarter),
        ),
        ("employer_figures, big unit, year", lambda: feedback.employer_figures(big, year)),
        ("employer_figures, small unit, year", lambda: feedback.employer_figures(small, year)),
        ("report_xlsx, big unit, quarter", xlsx(big, quarter)),
        ("report_xlsx, small unit, quarter", xlsx(small, quarter)),
        ("report_xlsx, big unit, year", xlsx(big, year)),
        ("idle_members, large community, quarter", idle_list(large, q_start, q_end)),
        ("idle_members, small community, quarter", idle_list(little, q_start, q_end)),
        ("service_record, busy member, year", lambda: dual.service_record(busy, y_start, y_end)),
        ("service_record, idle member, year", lambda: dual.service_record(idle, y_start, y_end)),
        ("upcoming activities, large community", lambda: upcoming_activities(large, now)),
        ("upcoming activities, small community", lambda: upcoming_activities(little, now)),
        (
            "members' list, large community, year",
            lambda: community_members(large, y_start, y_end),
        ),
        (
            "members' list, small community, year",
            lambda: community_members(little, y_start, y_end),
        ),
        ("page: community, large", page(office, "community:party-community", large.pk)),
        ("page: community, small", page(office, "community:party-community", little.pk)),
        ("page: member's home, busy member", page(member_browser, "community:party")),
        ("page: member's record, busy member", page(member_browser, "community:member", busy.pk)),
        (
            "page: employer report, big unit",
            page(office, "community:employer-report", big_report.pk),
        ),
    ]
    results = {}
    timed_out = False
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = %s", [f"{args.timeout}s"])
    for label, fn in cases:
        with CaptureQueriesContext(connection) as ctx:  # the warm-up, its queries counted
            try:
                result, failed = fn(), None
            except OperationalError as error:
                result, failed = None, error
        queries = list(ctx)
        ranked = sorted(queries, key=lambda q: -float(q["time"] or 0))
        if failed is not None:
            timed_out = True
            results[label] = None
            say(f"  {label:40} TIMED OUT after {args.timeout} s ({str(failed).strip()})")
            say("    EXPLAIN (without ANALYZE) of the query cancelled:")
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
            explain_plain(queries[-1]["sql"])
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = %s", [f"{args.timeout}s"])
            continue
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        best, med = min(times), statistics.median(times)
        results[label] = len(queries)
        if isinstance(result, dict) and "totals" in result:
            size = ", ".join(
                f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                for k, v in result["totals"].items()
            )
        elif isinstance(result, bytes):
            size = f"{len(result):,} bytes"
        elif isinstance(result, list):
            size = f"{len(result):,} rows"
            if label.startswith("upcoming") and result:
                size += f", places left {sum(a.left for a in result):,}"
        else:
            size = str(result)
        runs = " ".join(f"{x:.3f}" for x in times)
        say(
            f"  {label:40} best {best:.3f} s  median {med:.3f} s  {len(queries)} queries  "
            f"({runs})  [{size}]"
        )
        for q in ranked[:3]:
            say(f"      {float(q['time']):7.3f} s  {' '.join(q['sql'].split())[:150]}")
        if args.explain or med > args.slow:
            say(f"    EXPLAIN (ANALYZE, BUFFERS) of its slowest query ({med:.3f} s median):")
            explain(ranked[0]["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    say(f"load average after {load_average()}")

    say("queries, small vs large (they must not grow with the data)")
    grows = False
    for first, second in (
        ("employer_figures, small unit, quarter", "employer_figures, big unit, quarter"),
        ("employer_figures, small unit, year", "employer_figures, big unit, year"),
        ("report_xlsx, small unit, quarter", "report_xlsx, big unit, quarter"),
        ("idle_members, small community, quarter", "idle_members, large community, quarter"),
        ("service_record, idle member, year", "service_record, busy member, year"),
        ("page: community, small", "page: community, large"),
        ("upcoming activities, small community", "upcoming activities, large community"),
        ("members' list, small community, year", "members' list, large community, year"),
    ):
        a, b = results[first], results[second]
        if a is None or b is None:
            say(f"  {first:40} not compared: timed out  {second}")
            continue
        grows |= a != b
        say(f"  {first:40} {a:3} queries  vs  {b:3}  {second}")
    say("query counts differ!" if grows else "query counts: the same where measured")
    if timed_out:
        say(f"some figures did not finish within {args.timeout} s (see above)")
    return 1 if grows else 3 if timed_out else 0


if __name__ == "__main__":
    sys.exit(main())
