"""Does the front line hold Beijing? The street overview and the district comparison on a
city's worth of alleys, chiefs, stewards, patrols, reports and household visits.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuishao_bench_frontline \\
        .venv/bin/python bench/frontline.py

PostgreSQL only, in a database of its own (default chuishao_bench_frontline on 127.0.0.1,
created when missing). It migrates the database; on a fresh one it runs seed_demo (the 16
districts, the 64 real demo streets) and adds streets up to --streets in the 16 districts
(bench.rankings' 基准 streets: Beijing's 343 streets and townships, district by district).

Then, unless --skip-load, it empties every front-line table (TRUNCATE … CASCADE: the demo's
front line goes too, so every run loads the same synthetic data) and the bench's own accounts
(usernames bf_…), and loads with set-based SQL (INSERT … SELECT over generate_series, in one
transaction, the secondary indexes of the three big tables dropped and created again):

- communities up to about --communities, in the streets' proportions (基准NNN社区);
- --alleys alleys, each with one open AlleyChief term (one in ten with an earlier, closed
  term); --chiefs distinct chief accounts, each with a Membership alley_chief in its street,
  two alleys each or so;
- --stewards stewards (accounts of their own), every one with an open adoption, a quarter
  with a second one, one in ten with an ended earlier one; about 1 alley in 12 has none;
- --patrols patrols over the last 12 months (nine in ten by a steward of the alley, the
  rest by its chief); --reports front-line reports over the last 12 months in mixed statuses
  (new ones older than a day are overdue);
- for every community of those streets, household counts for this year and the last (this
  year's 1.01-1.19 times --visited: about 40 % of the communities fall below the 90 % bar), a
  commissioner, --visited households, each visited once this year, one in five again on a
  day of the last 365 days (those before 1 January count for last year).

The streets differ in size (lognormal weights, seeded): the largest has several times the
alleys of the median one. --scale multiplies every volume not given explicitly (--scale 0.02
for a quick run). ANALYZE after loading.

The timings (one warm-up, then best and median of --runs): figures.street_overview for the
largest street and a median one, figures.district_comparison for the district with the most
streets, and the pages /frontline/streets/<id>/ and /frontline/districts/<id>/ through
Django's test Client (a street official, a district reviewer), each with its number of SQL
queries; the same counts for the smallest street and district, to show they do not grow with
the data. A figure slower than --slow seconds gets EXPLAIN (ANALYZE, BUFFERS) of its slowest
query (--explain: always).
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
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chuishao_bench_frontline"
PREFIX = "bf_"  # the bench's accounts

VOLUMES = {  # option: (default, what it counts)
    "communities": (7000, "communities (about, at least the ones there)"),
    "alleys": (30000, "alleys, each with a chief"),
    "chiefs": (15000, "distinct alley chiefs"),
    "stewards": (23000, "stewards, each adopting an alley"),
    "patrols": (1_000_000, "patrols over the last 12 months"),
    "reports": (50000, "front-line reports over the last 12 months"),
    "visited": (300, "households visited per community"),
}

# The front line's tables, emptied before a load (TRUNCATE … CASCADE takes along whatever
# refers to them: a fresh database's demo front line included).
FRONTLINE_TABLES = (
    "community_reportphoto",
    "community_visit",
    "community_household",
    "community_householdcount",
    "community_commissionertask",
    "community_communitystaff",
    "community_patrol",
    "community_frontlinereport",
    "community_adoption",
    "community_steward",
    "community_alleychief",
    "community_alley",
)
# Their indexes that back no constraint are dropped before the load and created again.
BIG_TABLES = ("community_patrol", "community_visit", "community_household")

USERS_SQL = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                           is_staff, is_active, date_joined, full_name, phone)
SELECT '!', false, %(prefix)s || lpad(i::text, 6, '0'), '', '', '', false, true, now(),
       %(label)s || i, ''
FROM generate_series(1, %(n)s) AS i
"""

ALLEYS_SQL = """
INSERT INTO community_alley (street_id, community_id, name, description, created_at)
SELECT s.street_id, c.id, '基准' || lpad(g.n::text, 4, '0') || '巷', '',
       now() - interval '3 years'
FROM bench_street s
CROSS JOIN generate_series(0, s.alleys - 1) AS g (n)
JOIN bench_comm c ON c.street_id = s.street_id AND c.k = g.n %% s.comms;

CREATE TEMP TABLE bench_alley ON COMMIT DROP AS
SELECT a.id, a.street_id, a.community_id,
       (row_number() OVER (PARTITION BY a.street_id ORDER BY a.id) - 1)::int AS k
FROM community_alley a;
ALTER TABLE bench_alley ADD adoptable boolean, ADD chief_user_id bigint, ADD ak int;
UPDATE bench_alley SET adoptable = (k %% 12 <> 11);
-- the adoptable alleys numbered from 0 within their street
UPDATE bench_alley a SET ak = x.ak FROM (
    SELECT id, (row_number() OVER (PARTITION BY street_id ORDER BY id) - 1)::int AS ak
    FROM bench_alley WHERE adoptable
) x WHERE x.id = a.id;
UPDATE bench_alley a SET chief_user_id = c.user_id
FROM bench_street s, bench_chief c
WHERE s.street_id = a.street_id AND c.street_id = a.street_id AND c.k = a.k %% s.chiefs;
CREATE INDEX ON bench_alley (street_id, ak);
ANALYZE bench_alley;

INSERT INTO community_alleychief (alley_id, user_id, since, until, assigned_by_id)
SELECT id, chief_user_id, now() - make_interval(days => 30 + (k * 37) %% 700), NULL, NULL
FROM bench_alley;
-- one alley in ten had another chief before
INSERT INTO community_alleychief (alley_id, user_id, since, until, assigned_by_id)
SELECT a.id, c.user_id, now() - interval '3 years',
       now() - make_interval(days => 30 + (a.k * 37) %% 700), NULL
FROM bench_alley a JOIN bench_street s ON s.street_id = a.street_id
JOIN bench_chief c ON c.street_id = a.street_id AND c.k = (a.k + 1) %% s.chiefs
WHERE a.k %% 10 = 3;
"""

STEWARDS_SQL = """
INSERT INTO community_steward (user_id, street_id, kind, name, phone, address, employer,
                               recruited_on, recruited_by_id, left_on)
SELECT u.id, s.street_id,
       CASE WHEN j %% 20 < 16 THEN 'resident' WHEN j %% 20 < 18 THEN 'unit_employee'
            WHEN j %% 20 = 18 THEN 'merchant' ELSE 'party_member' END,
       '管家' || n, '139' || lpad(n::text, 8, '0'), (j %% 40 + 1) || '号院', '',
       %(today)s::date - 60 - (n * 7919) %% 1000, NULL, NULL
FROM bench_street s
CROSS JOIN generate_series(0, s.stewards - 1) AS j
CROSS JOIN LATERAL (SELECT s.steward_lo + j AS n) AS x
JOIN accounts_user u ON u.username = 'bf_steward_' || lpad(x.n::text, 6, '0');

CREATE TEMP TABLE bench_steward ON COMMIT DROP AS
SELECT st.id, st.street_id, st.user_id, st.recruited_on,
       (row_number() OVER (PARTITION BY st.street_id ORDER BY st.id) - 1)::int AS j
FROM community_steward st;
ANALYZE bench_steward;

-- slot j for every steward, slot stewards + j / 4 for one in four: the adoptable alleys in
-- turn (a street's stewards cover its adoptable alleys when they are enough)
INSERT INTO community_adoption (steward_id, alley_id, start, "end")
SELECT st.id, a.id, st.recruited_on, NULL
FROM bench_steward st JOIN bench_street s ON s.street_id = st.street_id
CROSS JOIN LATERAL (
    SELECT st.j AS slot UNION ALL SELECT s.stewards + st.j / 4 WHERE st.j %% 4 = 0
) AS slots
JOIN bench_alley a ON a.street_id = st.street_id AND a.ak = slots.slot %% s.adoptable
ON CONFLICT DO NOTHING;
-- one in ten looked after another alley before
INSERT INTO community_adoption (steward_id, alley_id, start, "end")
SELECT st.id, a.id, st.recruited_on - 200, st.recruited_on - 1
FROM bench_steward st JOIN bench_street s ON s.street_id = st.street_id
JOIN bench_alley a ON a.street_id = st.street_id AND a.ak = (st.j + 7) %% s.adoptable
WHERE st.j %% 10 = 5;

CREATE TEMP TABLE bench_adopt ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY ad.id))::int AS rn, ad.alley_id, a.street_id,
       a.community_id, ad.steward_id, st.user_id
FROM community_adoption ad JOIN bench_alley a ON a.id = ad.alley_id
JOIN bench_steward st ON st.id = ad.steward_id
WHERE ad."end" IS NULL;
CREATE UNIQUE INDEX ON bench_adopt (rn);
ANALYZE bench_adopt;
CREATE TEMP TABLE bench_alley_rn ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY id))::int AS rn, id AS alley_id, street_id, community_id,
       chief_user_id
FROM bench_alley;
CREATE UNIQUE INDEX ON bench_alley_rn (rn);
ANALYZE bench_alley_rn;
"""

# A moment of the day (7:00-19:00 Beijing) in the last 365 days, never later than an hour ago.
MOMENT = """LEAST(
    ((%(today)s::date - floor(random() * 365)::int)
        + make_interval(secs => 25200 + 43200 * random()))::timestamp
        AT TIME ZONE 'Asia/Shanghai',
    now() - make_interval(secs => 3600 + 3600 * random()))"""

PATROLS_SQL = f"""
INSERT INTO community_patrol (street_id, alley_id, steward_id, patrolled_by_id, started_at,
                              ended_at, found, dissuaded, dissuaded_count, recorded_at)
SELECT a.street_id, a.alley_id, a.steward_id, a.user_id, p.started,
       p.started + make_interval(mins => 20 + p.i %% 60),
       (ARRAY['', '', '', '共享单车乱停放', '垃圾桶满溢', '小广告'])[1 + p.i %% 6],
       CASE WHEN p.i %% 5 = 0 THEN '劝阻占道摆卖' ELSE '' END, (p.i %% 5 = 0)::int,
       p.started + make_interval(mins => 90)
FROM (
    SELECT i, 1 + floor(random() * %(adoptions)s)::int AS rn, {MOMENT} AS started
    FROM generate_series(1, %(by_stewards)s) AS i
) p JOIN bench_adopt a ON a.rn = p.rn;
INSERT INTO community_patrol (street_id, alley_id, steward_id, patrolled_by_id, started_at,
                              ended_at, found, dissuaded, dissuaded_count, recorded_at)
SELECT a.street_id, a.alley_id, NULL, a.chief_user_id, p.started,
       p.started + make_interval(mins => 30), '', '', 0, p.started + make_interval(mins => 60)
FROM (
    SELECT i, 1 + floor(random() * %(alleys)s)::int AS rn, {MOMENT} AS started
    FROM generate_series(1, %(by_chiefs)s) AS i
) p JOIN bench_alley_rn a ON a.rn = p.rn;
"""

# Status by age: most of the last day's still new; older ones mostly fixed, some still open
# (the new ones overdue), some escalated (without the whistle or order rows: no figure reads
# them).
REPORTS_SQL = f"""
INSERT INTO community_frontlinereport (
    number, street_id, alley_id, community_id, steward_id, reported_by_id, category, text,
    status, reported_at, accepted_at, accepted_by_id, handled_at, handled_by_id, outcome,
    deadline, overdue_at)
SELECT 'BF' || to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(i::text, 7, '0'),
       street_id, alley_id, community_id, steward_id, reported_by,
       (ARRAY['sanitation', 'parking', 'vending', 'construction', 'facility', 'greenery',
              'safety', 'group_rental', 'other'])[1 + i %% 9],
       '基准问题', status, at,
       CASE WHEN status <> 'new' THEN at + interval '2 hours' END,
       CASE WHEN status <> 'new' THEN chief END,
       CASE WHEN status = 'resolved' THEN at + interval '20 hours' END,
       CASE WHEN status = 'resolved' THEN chief END,
       CASE WHEN status = 'resolved' THEN '已处置' ELSE '' END,
       at + make_interval(hours => %(hours)s),
       CASE WHEN status = 'new' AND at + make_interval(hours => %(hours)s) < now()
            THEN at + make_interval(hours => %(hours)s) END
FROM (
    SELECT *, CASE
        WHEN at > now() - interval '1 day' THEN
            CASE WHEN u < 0.6 THEN 'new' WHEN u < 0.8 THEN 'accepted' ELSE 'resolved' END
        WHEN u < 0.03 THEN 'new' WHEN u < 0.08 THEN 'accepted' WHEN u < 0.12 THEN 'whistle'
        WHEN u < 0.14 THEN 'ordered' ELSE 'resolved' END AS status
    FROM (
        SELECT p.i, p.u, p.at, a.street_id, a.alley_id, a.community_id,
               CASE WHEN p.by_chief THEN NULL ELSE b.steward_id END AS steward_id,
               CASE WHEN p.by_chief THEN a.chief_user_id ELSE b.user_id END AS reported_by,
               a.chief_user_id AS chief
        FROM (
            SELECT i, random() AS u, random() < 0.15 AS by_chief,
                   1 + floor(random() * %(adoptions)s)::int AS rn, {MOMENT} AS at
            FROM generate_series(1, %(reports)s) AS i
        ) p
        JOIN bench_adopt b ON b.rn = p.rn
        JOIN bench_alley_rn a ON a.alley_id = b.alley_id
    ) x
) y
"""

HOUSEHOLDS_SQL = """
CREATE TEMP TABLE bench_visitor ON COMMIT DROP AS
SELECT c.id AS community_id, c.street_id, ch.user_id,
       0.84 + 0.15 * random() AS share  -- the share of households visited this year
FROM accounts_community c JOIN bench_street s ON s.street_id = c.street_id
JOIN bench_comm k ON k.id = c.id
JOIN bench_chief ch ON ch.street_id = c.street_id AND ch.k = k.k %% s.chiefs;

INSERT INTO community_communitystaff (community_id, user_id, kind, since, until, assigned_by_id)
SELECT community_id, user_id, 'commissioner', %(jan1)s::date - 365, NULL, NULL
FROM bench_visitor;
INSERT INTO community_householdcount (community_id, year, households, source, set_by_id,
                                      set_at)
SELECT community_id, y.year, ceil(%(visited)s / share)::int + y.extra, 'imported', NULL,
       make_date(y.year, 1, 5)::timestamp AT TIME ZONE 'Asia/Shanghai'
FROM bench_visitor
CROSS JOIN (VALUES (%(year)s - 1, -7), (%(year)s, 0)) AS y (year, extra);

INSERT INTO community_household (community_id, ref)
SELECT community_id,
       ((k - 1) / 24 + 1) || '号楼' || ((k - 1) / 6 %% 4 + 1) || '单元' || ((k - 1) %% 6 + 1) || '01'
FROM bench_visitor CROSS JOIN generate_series(1, %(visited)s) AS k;
"""

# Every household visited once this year; one in five again on a day of the last 12 months.
VISITS_SQL = """
INSERT INTO community_visit (community_id, street_id, household_id, visited_on, purpose,
                             follow_up, visited_by_id, recorded_at)
SELECT community_id, street_id, household_id, day,
       (ARRAY['routine', 'routine', 'elderly', 'difficulty', 'safety', 'policy', 'opinion'])
           [1 + household_id %% 7],
       '', user_id, (day + interval '18 hours')::timestamp AT TIME ZONE 'Asia/Shanghai'
FROM (
    SELECT h.community_id, v.street_id, h.id AS household_id, v.user_id,
           %(jan1)s::date + floor(random() * (%(today)s::date - %(jan1)s::date + 1))::int AS day
    FROM community_household h JOIN bench_visitor v ON v.community_id = h.community_id
    UNION ALL
    SELECT h.community_id, v.street_id, h.id, v.user_id,
           %(today)s::date - floor(random() * 365)::int
    FROM community_household h JOIN bench_visitor v ON v.community_id = h.community_id
    WHERE random() < 0.2
) x
"""


def say(message: str) -> None:
    print(message, flush=True)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def allocate(total: int, weights: list[float], minimum: int = 1) -> list[int]:
    """`total` split in the weights' proportions (largest remainder), at least `minimum` each."""
    total = max(total, minimum * len(weights))
    spare = total - minimum * len(weights)
    exact = [spare * w / sum(weights) for w in weights]
    out = [minimum + int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: int(exact[i]) - exact[i])
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def ensure_database(url: str) -> None:
    """CREATE DATABASE when the one named in the URL is missing."""
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(
        dbname="postgres",
        user=parsed.username or "postgres",
        password=parsed.password,
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")
    conn.close()


def secondary_indexes(cursor, tables) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        ORDER BY t.relname, i.relname
        """,
        [list(tables)],
    )
    return cursor.fetchall()


def plan(args, street_ids: list[int]) -> dict[int, dict]:
    """Every street's share of the volumes: lognormal weights, seeded; alleys, chiefs and
    stewards in proportion, so that a chief leads about two alleys of their own street."""
    rng = random.Random(args.seed)
    weights = [rng.lognormvariate(0, 0.55) for _ in street_ids]
    alleys = allocate(args.alleys, weights, 2)
    chiefs = allocate(args.chiefs, alleys, 1)
    chiefs = [min(c, a) for c, a in zip(chiefs, alleys, strict=True)]
    stewards = allocate(args.stewards, weights, 1)
    communities = allocate(args.communities, weights, 3)
    out, chief_lo, steward_lo = {}, 1, 1
    for i, pk in enumerate(street_ids):
        out[pk] = {
            "alleys": alleys[i],
            "adoptable": sum(1 for k in range(alleys[i]) if k % 12 != 11),
            "chiefs": chiefs[i],
            "chief_lo": chief_lo,
            "stewards": stewards[i],
            "steward_lo": steward_lo,
            "communities": communities[i],
        }
        chief_lo += chiefs[i]
        steward_lo += stewards[i]
    return out


def purge(cursor) -> None:
    """The front line emptied, and the bench's own accounts gone (nothing else refers to
    them: their memberships go first)."""
    cursor.execute(f"TRUNCATE {', '.join(FRONTLINE_TABLES)} RESTART IDENTITY CASCADE")
    cursor.execute(
        "DELETE FROM accounts_membership WHERE user_id IN "
        "(SELECT id FROM accounts_user WHERE username LIKE %s)",
        [PREFIX.replace("_", r"\_") + "%"],
    )
    cursor.execute(
        "DELETE FROM accounts_user WHERE username LIKE %s", [PREFIX.replace("_", r"\_") + "%"]
    )


def generate(args, shares: dict[int, dict], today) -> float:
    from django.db import connection, transaction

    started = time.monotonic()

    def step(label, sql, extra=None):
        t = time.monotonic()
        cursor.execute(sql, {**params, **(extra or {})})  # always formatted: %% is %
        say(f"  {label:44} {time.monotonic() - t:7.1f} s")

    params = {
        "today": today,
        "jan1": today.replace(month=1, day=1),
        "year": today.year,
        "visited": args.visited,
        "hours": args.untouched_hours,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SELECT setseed(0.2026)")
        # the foreign keys hold by construction: a superuser skips their per-row triggers
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        if superuser:
            cursor.execute("SET LOCAL session_replication_role = replica")
        t = time.monotonic()
        purge(cursor)
        say(f"  {'front line emptied, bench accounts deleted':44} {time.monotonic() - t:7.1f} s")
        indexes = secondary_indexes(cursor, BIG_TABLES)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        ids = list(shares)
        cursor.execute(
            """
            CREATE TEMP TABLE bench_street ON COMMIT DROP AS
            SELECT * FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[], %s::int[],
                                 %s::int[], %s::int[], %s::int[])
                AS t (street_id, alleys, adoptable, chiefs, chief_lo, stewards, steward_lo,
                      communities)
            """,
            [ids] + [[shares[pk][k] for pk in ids] for k in next(iter(shares.values()))],
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
        cursor.execute(
            """
            CREATE TEMP TABLE bench_comm ON COMMIT DROP AS
            SELECT id, street_id,
                   (row_number() OVER (PARTITION BY street_id ORDER BY id) - 1)::int AS k
            FROM accounts_community WHERE street_id IN (SELECT street_id FROM bench_street);
            ALTER TABLE bench_street ADD comms int;
            UPDATE bench_street s SET comms = (
                SELECT count(*) FROM bench_comm c WHERE c.street_id = s.street_id);
            ANALYZE bench_comm;
            """
        )
        chiefs = sum(s["chiefs"] for s in shares.values())
        stewards = sum(s["stewards"] for s in shares.values())
        step(
            f"{chiefs:,} chief accounts",
            USERS_SQL,
            {"prefix": PREFIX + "chief_", "label": "街巷长", "n": chiefs},
        )
        step(
            "their memberships (alley_chief in the street)",
            """
            CREATE TEMP TABLE bench_chief ON COMMIT DROP AS
            SELECT u.id AS user_id, s.street_id, k
            FROM bench_street s CROSS JOIN generate_series(0, s.chiefs - 1) AS k
            JOIN accounts_user u
              ON u.username = 'bf_chief_' || lpad((s.chief_lo + k)::text, 6, '0');
            ANALYZE bench_chief;
            INSERT INTO accounts_membership (user_id, role, street_id)
            SELECT user_id, 'alley_chief', street_id FROM bench_chief;
            """,
        )
        alleys = sum(s["alleys"] for s in shares.values())
        step(f"{alleys:,} alleys and their chiefs' terms", ALLEYS_SQL)
        step(
            f"{stewards:,} steward accounts",
            USERS_SQL,
            {"prefix": PREFIX + "steward_", "label": "管家", "n": stewards},
        )
        step("stewards and adoptions", STEWARDS_SQL, params)
        cursor.execute("SELECT count(*) FROM bench_adopt")
        adoptions = cursor.fetchone()[0]
        by_chiefs = args.patrols // 10
        step(
            f"{args.patrols:,} patrols",
            PATROLS_SQL,
            {
                **params,
                "adoptions": adoptions,
                "alleys": alleys,
                "by_stewards": args.patrols - by_chiefs,
                "by_chiefs": by_chiefs,
            },
        )
        step(
            f"{args.reports:,} front-line reports",
            REPORTS_SQL,
            {**params, "adoptions": adoptions, "reports": args.reports},
        )
        step("households, counts, commissioners", HOUSEHOLDS_SQL, params)
        step("visits", VISITS_SQL, params)
        t = time.monotonic()
        if not superuser:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            cursor.execute(definition)
        label = f"{len(indexes)} indexes created again"
        say(f"  {label:44} {time.monotonic() - t:7.1f} s")
    with connection.cursor() as cursor:
        t = time.monotonic()
        for table in (*FRONTLINE_TABLES, "accounts_user", "accounts_membership"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE accounts_community")
        say(f"  {'VACUUM ANALYZE':44} {time.monotonic() - t:7.1f} s")
    return time.monotonic() - started


def counts() -> dict[str, int]:
    from django.db import connection

    queries = {
        "streets with alleys": "SELECT count(DISTINCT street_id) FROM community_alley",
        "communities": "SELECT count(*) FROM accounts_community",
        "alleys": "SELECT count(*) FROM community_alley",
        "open chief terms": "SELECT count(*) FROM community_alleychief WHERE until IS NULL",
        "distinct chiefs (open terms)": "SELECT count(DISTINCT user_id) FROM community_alleychief"
        " WHERE until IS NULL",
        "alley_chief memberships": "SELECT count(*) FROM accounts_membership"
        " WHERE role = 'alley_chief'",
        "stewards (active)": "SELECT count(*) FROM community_steward WHERE left_on IS NULL",
        "open adoptions": 'SELECT count(*) FROM community_adoption WHERE "end" IS NULL',
        "alleys without a steward": "SELECT count(*) FROM community_alley a WHERE NOT EXISTS"
        ' (SELECT 1 FROM community_adoption d WHERE d.alley_id = a.id AND d."end" IS NULL)',
        "patrols": "SELECT count(*) FROM community_patrol",
        "front-line reports": "SELECT count(*) FROM community_frontlinereport",
        "open reports (new, accepted)": "SELECT count(*) FROM community_frontlinereport"
        " WHERE status IN ('new', 'accepted')",
        "overdue open": "SELECT count(*) FROM community_frontlinereport"
        " WHERE status = 'new' AND overdue_at IS NOT NULL",
        "household counts": "SELECT count(*) FROM community_householdcount",
        "households": "SELECT count(*) FROM community_household",
        "visits": "SELECT count(*) FROM community_visit",
        "community_patrol, MB": "SELECT pg_total_relation_size('community_patrol') / 1048576",
        "community_visit, MB": "SELECT pg_total_relation_size('community_visit') / 1048576",
        "community_household, MB": "SELECT pg_total_relation_size('community_household') / 1048576",
    }
    out = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            out[name] = cursor.fetchone()[0]
    return out


def timed(fn, runs: int) -> tuple[float, float, list[float]]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), times


def captured(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = fn()
    return result, list(queries)


def office_account(kind: str, unit):
    """An account of the street (street official) or the district (district reviewer)."""
    from accounts.models import User
    from accounts.services import add_membership
    from core.roles import Role

    role = Role.STREET_OFFICIAL if kind == "street" else Role.DISTRICT_REVIEWER
    user, _created = User.objects.get_or_create(
        username=f"{PREFIX}office_{kind}_{unit.pk}", defaults={"full_name": f"基准{unit.name}"}
    )
    add_membership(user, role, unit)
    return user


def explain(sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        for (line,) in cursor.fetchall():
            say(f"      {line}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streets", type=int, default=343, help="streets and townships")
    for name, (default, text) in VOLUMES.items():
        parser.add_argument(f"--{name}", type=int, default=None, help=f"{text} ({default:,})")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiplies every volume not given"
    )
    parser.add_argument("--seed", type=int, default=343, help="the streets' sizes")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up")
    parser.add_argument("--slow", type=float, default=1.0, help="EXPLAIN a figure past this")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN every figure's slowest query"
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
    # seed_demo wants one with DEBUG=0 (the demo has a superuser); nobody signs in with it
    os.environ.setdefault("DEMO_PASSWORD", secrets.token_urlsafe(18))
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.setdefault("VAR_DIR", "var/bench")
    sys.path.insert(0, str(ROOT))
    if urlparse(os.environ["DATABASE_URL"]).scheme not in ("postgres", "postgresql", "pgsql"):
        print("bench/frontline.py needs PostgreSQL (DATABASE_URL).")
        return 2
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import District, Street
    from bench.rankings import ensure_streets
    from community import figures
    from community.models import Alley
    from core.periods import BEIJING

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

    today = timezone.localdate(timezone.now(), BEIJING)
    if args.skip_load:
        if not Alley.objects.exists():
            say("--skip-load: the database holds no alleys; run once without it")
            return 2
        say("--skip-load: timing the data in place")
    else:
        say(
            f"loading {len(street_ids)} streets: about {args.communities:,} communities, "
            f"{args.alleys:,} alleys, {args.chiefs:,} chiefs, {args.stewards:,} stewards, "
            f"{args.patrols:,} patrols, {args.reports:,} reports, {args.visited} households "
            f"visited per community (today {today})"
        )
        args.untouched_hours = settings.FRONTLINE_REPORT_UNTOUCHED_HOURS
        seconds = generate(args, plan(args, street_ids), today)
        say(f"loaded in {seconds:.1f} s")
    for name, n in counts().items():
        say(f"  {name:32} {n:>12,}")

    # the streets by size (alleys), the districts by number of streets
    sizes = dict(
        Alley.objects.values("street_id")
        .annotate(n=Count("pk"))
        .order_by("street_id")
        .values_list("street_id", "n")
    )
    by_size = sorted(sizes, key=lambda pk: (sizes[pk], pk))
    streets = Street.objects.select_related("district").in_bulk(
        [by_size[-1], by_size[len(by_size) // 2], by_size[0]]
    )
    biggest, median, tiny = (
        streets[by_size[-1]],
        streets[by_size[len(by_size) // 2]],
        streets[by_size[0]],
    )
    districts = list(
        District.objects.annotate(n=Count("streets")).filter(n__gt=0).order_by("-n", "id")
    )
    big_district, small_district = districts[0], districts[-1]

    def street_label(s):
        return f"{s.district.name}{s.name} (#{s.pk}, {sizes[s.pk]} alleys)"

    def district_label(d):
        return f"{d.name} (#{d.pk}, {d.n} streets, {Alley.objects.filter(street__district=d).count():,} alleys)"

    say(f"largest street {street_label(biggest)}")
    say(f"median street {street_label(median)}, smallest {street_label(tiny)}")
    say(
        f"largest district {district_label(big_district)}, smallest {district_label(small_district)}"
    )

    say(f"timing ({args.runs} runs after one warm-up, load average before {load_average()})")
    results = []  # (what, best, median, queries)
    cases = [
        (f"street_overview, largest (#{biggest.pk})", lambda: figures.street_overview(biggest)),
        (f"street_overview, median (#{median.pk})", lambda: figures.street_overview(median)),
        (f"street_overview, smallest (#{tiny.pk})", lambda: figures.street_overview(tiny)),
        (
            f"district_comparison, largest (#{big_district.pk})",
            lambda: figures.district_comparison(big_district),
        ),
        (
            f"district_comparison, smallest (#{small_district.pk})",
            lambda: figures.district_comparison(small_district),
        ),
    ]
    for label, fn in cases:
        best, med, times = timed(fn, args.runs)
        _result, queries = captured(fn)
        results.append((label, best, med, len(queries)))
        runs = " ".join(f"{x:.3f}" for x in times)
        say(f"  {label:42} best {best:.3f} s  median {med:.3f} s  {len(queries)} queries  ({runs})")
        ranked = sorted(queries, key=lambda q: -float(q["time"]))
        for q in ranked[:3]:
            say(f"      {float(q['time']):7.3f} s  {' '.join(q['sql'].split())[:140]}")
        if args.explain or med > args.slow:
            say(f"    EXPLAIN (ANALYZE, BUFFERS) of its slowest query ({med:.3f} s median):")
            explain(ranked[0]["sql"])

    say("the pages (Django test Client, signed in with force_login)")
    pages = [
        ("street", "largest", biggest),
        ("street", "median", median),
        ("street", "smallest", tiny),
        ("district", "largest", big_district),
        ("district", "smallest", small_district),
    ]
    for kind, which, unit in pages:
        client = Client(HTTP_HOST="localhost")
        client.force_login(office_account(kind, unit))
        url = reverse(f"community:{kind}", args=[unit.pk])

        def get(client=client, url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            return response

        best, med, times = timed(get, args.runs)
        response, queries = captured(get)
        results.append((f"GET {url} ({kind}, {which})", best, med, len(queries)))
        runs = " ".join(f"{x:.3f}" for x in times)
        say(
            f"  GET {url:26} {kind} {which:8} best {best:.3f} s  median {med:.3f} s  "
            f"{len(queries)} queries  {len(response.content) // 1024} KB  ({runs})"
        )
    say(f"load average after {load_average()}")

    say("queries per page, smallest vs largest (they must not grow with the data)")
    by_label = {r[0]: r[3] for r in results}
    grows = False
    for first, second in (
        (f"street_overview, smallest (#{tiny.pk})", f"street_overview, largest (#{biggest.pk})"),
        (
            f"district_comparison, smallest (#{small_district.pk})",
            f"district_comparison, largest (#{big_district.pk})",
        ),
        (
            f"GET /frontline/streets/{tiny.pk}/ (street, smallest)",
            f"GET /frontline/streets/{biggest.pk}/ (street, largest)",
        ),
        (
            f"GET /frontline/districts/{small_district.pk}/ (district, smallest)",
            f"GET /frontline/districts/{big_district.pk}/ (district, largest)",
        ),
    ):
        a, b = by_label[first], by_label[second]
        grows |= b > a
        say(f"  {first.split(' (')[0]:32} {a:3} queries  vs  {b:3} queries")
    say("query counts grow with the data!" if grows else "query counts: the same at every size")
    return 1 if grows else 0


if __name__ == "__main__":
    sys.exit(main())
