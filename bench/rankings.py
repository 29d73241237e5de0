"""How long do the 12345 rankings take on a month of Beijing-scale data?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuishao_bench_rank \\
        .venv/bin/python bench/rankings.py --days 30 --per-day 65000 --streets 343

PostgreSQL only (use a database of its own: the bench empties the 12345 request tables). It
migrates the database, runs seed_demo (the categories, the 64 real demo streets), adds streets
up to --streets in the 16 districts (Beijing's 343 streets and townships, district by district),
and generates with set-based SQL (INSERT … SELECT over generate_series, the secondary indexes
dropped and rebuilt in the same transaction):

- --per-day requests a day for --days days of --month, every one located in a street (the
  volume: some streets get many times more than others); about 40 % become work orders, replied
  within a week and called back on the day of the reply or up to three days after (the latest
  call-back); about 4 % of them were reopened: an earlier call-back, dissatisfied, no longer
  the latest. The citizen is reached about 90 % of the time; the contacted / resolved / satisfied
  ratios differ from street to street, so the ranking means something;
- the two months before, --previous-per-day a day, the same way (the previous ranking for 进步,
  the volumes of three months for 治理类).

Then ANALYZE, and the timings (one warm-up, then best and median of --runs) of hotline.rates
`daily(day)` for a day in the middle of the month and `monthly(year, month)`, each query of one
monthly run, the row counts and the load average (the machine may be shared). When the monthly
ranking misses --target seconds, EXPLAIN (ANALYZE, BUFFERS) of its slowest query.

--keep leaves the data in place at the end (otherwise the tables are emptied again), --reuse
skips the generation when the month's data is already there (from a run with --keep).
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "BR"  # the numbers of the generated requests: BR + yyyymmdd + 7 digits

# Beijing's 343 streets and townships (街道、乡镇), district by district.
BEIJING_STREETS = {
    "东城区": 17, "西城区": 15, "朝阳区": 43, "丰台区": 26, "石景山区": 9, "海淀区": 29,
    "门头沟区": 13, "房山区": 28, "通州区": 22, "顺义区": 25, "昌平区": 22, "大兴区": 22,
    "怀柔区": 16, "平谷区": 18, "密云区": 20, "延庆区": 18,
}  # fmt: skip

# The indexes of these tables that back no constraint are dropped before the load and
# created again, with their own definitions, in the same transaction.
TABLES = ("hotline_servicerequest", "hotline_callback")

REQUESTS_SQL = """
INSERT INTO hotline_servicerequest (
    number, channel, category_id, citizen_name, citizen_phone, citizen_email, description,
    address, street_id, status, received_at, dispatched_at, accepted_at, contacted_at,
    replied_at, reply, return_reason, closed_at, reopened, open311_token)
SELECT
    %(prefix)s || to_char(day, 'YYYYMMDD') || lpad(i::text, 7, '0'),
    (ARRAY['phone', 'phone', 'phone', 'phone', 'phone', 'web', 'app', 'wechat'])[1 + i %% 8],
    (SELECT categories[1 + i %% array_length(categories, 1)] FROM c),
    '', '', '', 'bench', '',
    (SELECT streets[1 + floor(array_length(streets, 1) * power(u_street, 1.6))::int] FROM s),
    CASE WHEN work_order THEN 'closed' WHEN u_status < 0.03 THEN 'new' ELSE 'closed' END,
    received,
    CASE WHEN work_order THEN received + interval '10 minutes' END,
    CASE WHEN work_order THEN received + interval '40 minutes' END,
    CASE WHEN work_order THEN received + interval '3 hours' END,
    CASE WHEN work_order THEN replied END,
    CASE WHEN work_order THEN 'bench' ELSE '' END,
    '',
    CASE
        WHEN work_order THEN replied + make_interval(secs => 3600 + 86400 * 3 * u_call ^ 2)
            + CASE WHEN reopened THEN interval '2 days' ELSE interval '0' END
        WHEN u_status >= 0.03 THEN received + interval '15 minutes'
    END,
    reopened::int,
    ''
FROM (
    SELECT day, i, received, u_street, u_status, u_call, work_order,
           work_order AND u_reopen < 0.04 AS reopened,
           received + make_interval(secs => 7200 + 86400 * 7 * u_reply ^ 2.5) AS replied
    FROM (
        SELECT day::date AS day, i,
               (day::date + make_interval(secs => 21600 + 64800 * random()))::timestamp
                   AT TIME ZONE 'Asia/Shanghai' AS received,
               random() AS u_street, random() AS u_status, random() AS u_call,
               random() < 0.4 AS work_order, random() AS u_reopen, random() AS u_reply
        FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS day,
             generate_series(0, %(per_day)s - 1) AS i
    ) u
) x
"""

# The latest call-back of every work order (at closed_at), then the earlier one of the
# reopened ones (3 hours after the reply: reached, dissatisfied, no longer the latest).
CALLBACKS_SQL = """
INSERT INTO hotline_callback (
    request_id, street_id, called_at, called_on, reached, contacted, resolved, satisfaction,
    note, latest)
SELECT id, street_id, called_at, (called_at AT TIME ZONE 'Asia/Shanghai')::date, reached,
       CASE WHEN reached THEN u_contacted < pc END,
       CASE WHEN reached THEN resolved END,
       CASE
           WHEN NOT reached THEN ''
           WHEN u_satisfied < ps * CASE WHEN resolved THEN 1.0 ELSE 0.35 END THEN 'satisfied'
           WHEN u_satisfied < ps * CASE WHEN resolved THEN 1.0 ELSE 0.35 END + pb THEN 'basic'
           ELSE 'dissatisfied'
       END,
       '', true
FROM (
    SELECT r.id, r.street_id, r.closed_at AS called_at, q.pc, q.ps, q.pb,
           random() < 0.9 AS reached, random() AS u_contacted, random() < q.pr AS resolved,
           random() AS u_satisfied
    FROM hotline_servicerequest r JOIN bench_quality q ON q.street_id = r.street_id
    WHERE r.id > %(after_id)s AND r.replied_at IS NOT NULL
) x;
INSERT INTO hotline_callback (
    request_id, street_id, called_at, called_on, reached, contacted, resolved, satisfaction,
    note, latest)
SELECT id, street_id, called_at, (called_at AT TIME ZONE 'Asia/Shanghai')::date, true, true,
       false, 'dissatisfied', 'bench: reopened', false
FROM (
    SELECT id, street_id, replied_at + interval '3 hours' AS called_at
    FROM hotline_servicerequest
    WHERE id > %(after_id)s AND reopened > 0
) x;
"""


def month_days(year: int, month: int) -> int:
    after = date(year + (month == 12), month % 12 + 1, 1)
    return (after - date(year, month, 1)).days


def previous(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def quota(total: int) -> dict[str, int]:
    """Streets per district for `total` streets, in Beijing's proportions."""
    scale = total / sum(BEIJING_STREETS.values())
    out = {d: max(1, round(n * scale)) for d, n in BEIJING_STREETS.items()}
    out["朝阳区"] += total - sum(out.values())
    return out


def ensure_streets(total: int) -> list[int]:
    """Streets up to `total`: the demo's real ones, then 基准N街道 in each district; the ids of
    `total` of them."""
    from accounts.choices import StreetKind
    from accounts.models import District, Street

    for district in District.objects.filter(name__in=BEIJING_STREETS):
        have = district.streets.count()
        for n in range(have + 1, quota(total)[district.name] + 1):
            # one by one: Street.save() creates the party-committee group
            name = f"基准{district.name.removesuffix('区')}{n:02d}街道"  # unique: whistle numbers use it
            Street(district=district, name=name, kind=StreetKind.SUBDISTRICT).save()
    ids = list(Street.objects.order_by("pk").values_list("pk", flat=True)[:total])
    if len(ids) < total:
        raise SystemExit(f"only {len(ids)} streets (are the 16 districts of seed_demo there?)")
    return ids


def secondary_indexes(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        ORDER BY t.relname, i.relname
        """,
        [list(TABLES)],
    )
    return cursor.fetchall()


def empty(cursor) -> None:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM hotline_servicerequest WHERE number NOT LIKE %s)",
        [PREFIX + "%"],
    )
    if cursor.fetchone()[0]:
        raise SystemExit(
            "hotline_servicerequest holds requests the bench did not generate: "
            "give the bench a database of its own"
        )
    cursor.execute("TRUNCATE hotline_callback, hotline_requestdeadline, hotline_servicerequest")


def generate(args, street_ids: list[int], year: int, month: int) -> float:
    """Empty the tables and generate the month and the two before; the seconds it took."""
    from django.db import connection, transaction

    from hotline.models import RequestCategory

    categories = list(RequestCategory.objects.order_by("pk").values_list("pk", flat=True))
    months = [(year, month, args.days, args.per_day)]
    py, pm = previous(year, month)
    ppy, ppm = previous(py, pm)
    months += [(y, m, month_days(y, m), args.previous_per_day) for y, m in ((py, pm), (ppy, ppm))]
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SELECT setseed(0.12345)")
        # The foreign keys hold by construction: a superuser skips their per-row triggers
        # (otherwise they are checked before the indexes are created again).
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        if superuser:
            cursor.execute("SET LOCAL session_replication_role = replica")
        empty(cursor)
        indexes = secondary_indexes(cursor)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # every street its own quality: P(contacted), P(resolved), P(satisfied), P(basic)
        cursor.execute(
            """
            CREATE TEMP TABLE bench_quality ON COMMIT DROP AS
            SELECT street_id, 0.90 + 0.095 * random() AS pc, 0.55 + 0.40 * random() AS pr,
                   0.50 + 0.40 * random() AS ps, 0.05 + 0.10 * random() AS pb
            FROM unnest(%s::int[]) AS street_id
            """,
            [street_ids],
        )
        for y, m, days, per_day in sorted(months):
            step = time.monotonic()
            cursor.execute("SELECT coalesce(max(id), 0) FROM hotline_servicerequest")
            after_id = cursor.fetchone()[0]
            # the streets shuffled, so that the busy ones are not all in one district
            shuffled = sorted(street_ids, key=lambda pk: (pk * 2654435761) % 2**32)
            cursor.execute(
                "WITH s AS (SELECT %(streets)s::int[] AS streets), "
                "c AS (SELECT %(categories)s::int[] AS categories) " + REQUESTS_SQL,
                {
                    "prefix": PREFIX,
                    "streets": shuffled,
                    "categories": categories,
                    "first": date(y, m, 1),
                    "last": date(y, m, days),
                    "per_day": per_day,
                },
            )
            requests = cursor.rowcount
            cursor.execute(CALLBACKS_SQL, {"after_id": after_id})
            say(
                f"  {y}-{m:02d}: {days} days × {per_day:,} = {requests:,} requests "
                f"and their call-backs in {time.monotonic() - step:.1f} s"
            )
        step = time.monotonic()
        if not superuser:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            cursor.execute(definition)
        say(f"  {len(indexes)} indexes created again in {time.monotonic() - step:.1f} s")
    with connection.cursor() as cursor:
        step = time.monotonic()
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
        say(f"  VACUUM ANALYZE in {time.monotonic() - step:.1f} s")
    return time.monotonic() - started


def counts(year: int, month: int) -> dict[str, int]:
    from django.db import connection

    from hotline.rates import day_bounds, month_range

    first, after = month_range(year, month)
    start, end = day_bounds(first, after)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM hotline_servicerequest),
                   (SELECT count(*) FROM hotline_servicerequest
                     WHERE received_at >= %(start)s AND received_at < %(end)s),
                   (SELECT count(*) FROM hotline_servicerequest
                     WHERE received_at >= %(start)s AND received_at < %(end)s
                       AND replied_at IS NOT NULL),
                   (SELECT count(*) FROM hotline_callback),
                   (SELECT count(*) FROM hotline_callback WHERE NOT latest),
                   (SELECT count(*) FROM hotline_callback
                     WHERE latest AND called_on >= %(first)s AND called_on < %(after)s),
                   (SELECT count(*) FROM hotline_callback
                     WHERE latest AND reached AND called_on >= %(first)s AND called_on < %(after)s),
                   (SELECT count(DISTINCT street_id) FROM hotline_servicerequest
                     WHERE received_at >= %(start)s AND received_at < %(end)s),
                   pg_total_relation_size('hotline_servicerequest') / 1048576,
                   pg_total_relation_size('hotline_callback') / 1048576
            """,
            {"start": start, "end": end, "first": first, "after": after},
        )
        row = cursor.fetchone()
    names = [
        "requests (all months)",
        "requests in the month",
        "work orders in the month",
        "call-backs (all months)",
        "earlier call-backs, not latest",
        "latest call-backs in the month",
        "valid (reached) in the month",
        "streets with requests in the month",
        "hotline_servicerequest, MB",
        "hotline_callback, MB",
    ]
    return dict(zip(names, row, strict=True))


def timed(fn, runs: int) -> tuple[float, float, list[float]]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), times


def say(message: str) -> None:
    print(message, flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--month", default="2025-04", help="the month ranked, YYYY-MM")
    parser.add_argument("--days", type=int, default=30, help="days of the month generated")
    parser.add_argument("--per-day", type=int, default=65000, help="requests a day")
    parser.add_argument(
        "--previous-per-day", type=int, default=20000, help="requests a day, two months before"
    )
    parser.add_argument("--streets", type=int, default=343, help="streets and townships")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up")
    parser.add_argument("--target", type=float, default=2.0, help="monthly ranking, seconds")
    parser.add_argument("--keep", action="store_true", help="leave the data in place at the end")
    parser.add_argument(
        "--reuse", action="store_true", help="skip the generation when the month's data exists"
    )
    args = parser.parse_args(argv)
    year, month = (int(part) for part in args.month.split("-"))
    args.days = min(args.days, month_days(year, month))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abc")
    # seed_demo wants one with DEBUG=0 (the demo has a superuser); the bench signs nobody in
    os.environ.setdefault("DEMO_PASSWORD", secrets.token_urlsafe(18))
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.setdefault("VAR_DIR", "var/bench")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hotline import rates

    if connection.vendor != "postgresql":
        print(f"bench/rankings.py needs PostgreSQL (DATABASE_URL), not {connection.vendor}.")
        return 2

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    street_ids = ensure_streets(args.streets)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        settings_shown = []
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
            cursor.execute(f"SHOW {name}")
            settings_shown.append(f"{name}={cursor.fetchone()[0]}")
    say(
        f"database {connection.settings_dict['NAME']} ({version}; {', '.join(settings_shown)}), "
        f"{os.cpu_count()} cores, load average {load()}"
    )

    in_month = counts(year, month)["latest call-backs in the month"]
    if args.reuse and in_month:
        say(f"--reuse: {year}-{month:02d} already has {in_month:,} latest call-backs")
    else:
        say(f"generating {len(street_ids)} streets, {year}-{month:02d} and the two months before")
        seconds = generate(args, street_ids, year, month)
        say(f"generated in {seconds:.1f} s")
    rows = counts(year, month)
    for name, n in rows.items():
        say(f"  {name:36} {n:>12,}")

    day = date(year, month, min(15, args.days))
    say(
        f"timing ({args.runs} runs after one warm-up, load average before {load()}) "
        f"on {connection.settings_dict['NAME']}"
    )
    figures = {}
    for label, fn in (
        (f"daily({day})", lambda: rates.daily(day)),
        (f"monthly({year}, {month})", lambda: rates.monthly(year, month)),
    ):
        best, median, times = timed(fn, args.runs)
        figures[label] = (best, median)
        runs = " ".join(f"{t:.3f}" for t in times)
        say(f"  {label:22} best {best:.3f} s  median {median:.3f} s  ({runs})")
    say(f"load average after {load()}")

    with CaptureQueriesContext(connection) as captured:
        table = rates.monthly(year, month)
    ranked = [r for r in table["streets"] if r.rank]
    say(f"one monthly run: {len(captured)} queries, {len(ranked)} streets ranked")
    for query in sorted(captured, key=lambda q: -float(q["time"])):
        say(f"  {float(query['time']):7.3f} s  {query['sql'][:150]}")
    if ranked:
        top, bottom = ranked[0], ranked[-1]
        say(
            f"  first {top.district}{top.street} composite {top.composite} (valid {top.valid:,}), "
            f"last {bottom.district}{bottom.street} composite {bottom.composite}"
        )

    monthly_median = figures[f"monthly({year}, {month})"][1]
    missed = monthly_median >= args.target
    if missed:
        slowest = max(captured, key=lambda q: float(q["time"]))
        say(f"target missed ({monthly_median:.3f} s ≥ {args.target:g} s): the slowest query")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            for (line,) in cursor.fetchall():
                say(f"  {line}")
    else:
        say(f"target met: monthly median {monthly_median:.3f} s < {args.target:g} s")

    if not args.keep:
        with connection.cursor() as cursor:
            empty(cursor)
        say("tables emptied (--keep leaves the data in place)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
