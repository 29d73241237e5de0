"""Evaluations, vetoes, the window on the deadline engine, and the department score."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.choices import Power
from accounts.models import Department, PowerGrant, Street
from accounts.services import revoke_power
from config.errors import Conflict
from dispatch import deadlines
from dispatch import services as loop
from evaluation import scoring, services
from evaluation.models import DepartmentScore, Evaluation
from whistle.choices import EventType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rescore_at_once(monkeypatch):
    """The scores are recomputed in Celery after commit; inside a test's transaction, at once
    (test_the_rescore_task_is_sent_after_commit checks the real path)."""
    monkeypatch.setattr(
        services,
        "_rescore_after_commit",
        lambda department_id, blown_at: scoring.recompute_for_whistle([department_id], blown_at),
    )


@pytest.fixture
def deps(demo):
    return {
        "chengguan": Department.objects.get(name="平谷区城管执法局"),
        "police": Department.objects.get(name="平谷公安分局"),
        "planning": Department.objects.get(name="平谷区规划国土"),
    }


@pytest.fixture
def whistle_of(demo, deps):
    """Blow in 金海湖镇 summoning the given departments; `arrive` maps key → minutes after
    the summons (None: never); then resolve."""

    def make(*keys, arrive=None, resolve=True):
        street = Street.objects.get(name="金海湖镇")
        whistle = loop.blow_whistle(
            demo["street_jinhaihu"],
            street=street,
            kind="enforcement",
            category="other",
            title="联合执法",
            location="将军关村",
            departments=[deps[k] for k in keys],
        )
        for key, minutes in (arrive or {}).items():
            if minutes is None:
                continue
            check_in = whistle.check_ins.get(department=deps[key])
            with time_machine.travel(check_in.summoned_at + timedelta(minutes=minutes)):
                deadlines.sweep()
                loop.arrive(demo[f"dept_pg_{key}"], check_in)
        if resolve:
            moment = max(timezone.now(), whistle.blown_at + timedelta(minutes=40))
            with time_machine.travel(moment):
                whistle = loop.resolve(demo["street_jinhaihu"], whistle, summary="处理完毕")
        return whistle

    return make


def _rate(demo, whistle, key_values, deps, **extra):
    out = {}
    for key, (r, c, s) in key_values.items():
        check_in = whistle.check_ins.get(department=deps[key])
        out[key] = services.evaluate(
            demo["street_jinhaihu"], check_in, response=r, cooperation=c, result=s, **extra
        )
    return out


def test_timeliness_is_derived_from_the_arrival(demo, deps, whistle_of):
    whistle = whistle_of("chengguan", "police", "planning", arrive={"chengguan": 12, "police": 38})
    evaluations = _rate(
        demo, whistle, {"chengguan": (5, 5, 5), "police": (3, 3, 3), "planning": (2, 2, 2)}, deps
    )
    assert (evaluations["chengguan"].timeliness, evaluations["chengguan"].check_in_seconds) == (
        "on_time",
        720,
    )
    assert evaluations["police"].timeliness == "late"
    assert evaluations["police"].late_seconds == 8 * 60
    assert evaluations["planning"].timeliness == "no_show"  # overdue, never on site
    events = [e.type for e in whistle.events.all()]
    assert events.count(EventType.CHECK_IN_EVALUATED) == 3


def test_evaluating_waits_for_resolve_and_happens_once(demo, deps, whistle_of):
    whistle = whistle_of("police", resolve=False)
    check_in = whistle.check_ins.get()
    with pytest.raises(Conflict):
        services.evaluate(demo["street_jinhaihu"], check_in, response=5, cooperation=5, result=5)
    loop.resolve(demo["street_jinhaihu"], whistle, summary="ok")
    with pytest.raises(ValidationError) as exc:
        services.evaluate(demo["street_jinhaihu"], check_in, response=0, cooperation=6, result="x")
    assert set(exc.value.message_dict) == {"response", "cooperation", "result"}
    for user in ("street_jinhaihu_clerk", "street_longtan", "dept_pg_police", "district_pinggu"):
        with pytest.raises(PermissionDenied):
            services.evaluate(demo[user], check_in, response=5, cooperation=5, result=5)
    services.evaluate(demo["street_jinhaihu"], check_in, response=5, cooperation=5, result=5)
    with pytest.raises(Conflict):
        services.evaluate(demo["street_jinhaihu"], check_in, response=1, cooperation=1, result=1)
    assert Evaluation.objects.count() == 1


def test_the_whistle_closes_only_when_every_check_in_is_evaluated(demo, deps, whistle_of):
    whistle = whistle_of("police", "chengguan", arrive={"police": 5})
    with pytest.raises(Conflict) as held:
        loop.close(demo["street_jinhaihu"], whistle)
    assert "2" in held.value.message
    _rate(demo, whistle, {"police": (4, 4, 4)}, deps)
    with pytest.raises(Conflict):
        loop.close(demo["street_jinhaihu"], whistle)
    _rate(demo, whistle, {"chengguan": (4, 4, 4)}, deps)
    assert loop.close(demo["street_jinhaihu"], whistle).status == "closed"


def test_a_lapsed_window_records_not_evaluated_and_lets_the_whistle_close(
    demo, deps, whistle_of, settings
):
    settings.EVALUATION_WINDOW_HOURS = 24
    whistle = whistle_of("police", "chengguan", arrive={"police": 5})
    _rate(demo, whistle, {"police": (5, 4, 3)}, deps)
    window = whistle.evaluation_window
    assert window.deadline == whistle.resolved_at + timedelta(hours=24)
    with time_machine.travel(window.deadline + timedelta(seconds=1)):
        assert deadlines.sweep() >= 1
        assert deadlines.sweep() == 0
        lapsed = Evaluation.objects.get(check_in__department=deps["chengguan"])
        assert lapsed.status == "lapsed" and lapsed.response is None
        assert [e.type for e in whistle.events.all()].count(EventType.EVALUATION_LAPSED) == 1
        with pytest.raises(Conflict):  # nothing left to evaluate
            _rate(demo, whistle, {"chengguan": (5, 5, 5)}, deps)
        assert loop.close(demo["street_jinhaihu"], whistle).status == "closed"
    score = DepartmentScore.objects.get(
        department=deps["chengguan"], period=scoring.periods_of(whistle.blown_at)[0]
    )
    assert (score.rated, score.lapsed, score.mean_rating) == (0, 1, None)


def test_a_veto_needs_the_power_and_a_reason_and_counts_until_overturned(demo, deps, whistle_of):
    whistle = whistle_of("police", "chengguan", arrive={"police": 5, "chengguan": 10})
    police = whistle.check_ins.get(department=deps["police"])
    with pytest.raises(ValidationError) as exc:
        services.evaluate(
            demo["street_jinhaihu"], police, response=2, cooperation=1, result=2, veto=True
        )
    assert "veto_reason" in exc.value.message_dict
    evaluation = services.evaluate(
        demo["street_jinhaihu"], police, response=2, cooperation=1, result=2,
        veto=True, veto_reason="拒不配合",
    )  # fmt: skip
    assert evaluation.veto_status == "pending"
    period = scoring.periods_of(whistle.blown_at)[0]
    score = DepartmentScore.objects.get(department=deps["police"], period=period)
    assert score.vetoes == 1
    # no veto power any more: the next veto is refused, and nothing is saved
    grant = PowerGrant.objects.get(
        street__name="金海湖镇", power=Power.VETO_DEPARTMENT, revoked_at=None
    )
    revoke_power(demo["district_pinggu"], grant, "")
    chengguan = whistle.check_ins.get(department=deps["chengguan"])
    with pytest.raises(PermissionDenied):
        services.evaluate(
            demo["street_jinhaihu"], chengguan, response=5, cooperation=5, result=5,
            veto=True, veto_reason="x",
        )  # fmt: skip
    assert not Evaluation.objects.filter(check_in=chengguan).exists()
    # the district reviews: another district's reviewer may not
    with pytest.raises(PermissionDenied):
        services.review_veto(demo["district_dongcheng"], evaluation, upheld=False, reason="x")
    with pytest.raises(ValidationError):
        services.review_veto(demo["district_pinggu"], evaluation, upheld=False, reason=" ")
    services.review_veto(demo["district_pinggu"], evaluation, upheld=False, reason="情况属实已整改")
    with pytest.raises(Conflict):
        services.review_veto(demo["district_pinggu"], evaluation, upheld=True, reason="again")
    score.refresh_from_db()
    assert score.vetoes == 0
    types = [e.type for e in whistle.events.all()]
    assert EventType.DEPARTMENT_VETOED in types and EventType.VETO_REVIEWED in types


def test_the_worked_example_of_docs_evaluation_md(demo, deps, whistle_of):
    """平谷公安分局 in one month: 4 summonses (on site after 10, 20 and 40 minutes, one never),
    ratings (5,5,4) (4,4,4) (3,2,3) (1,1,1), one veto upheld."""
    first = whistle_of("police", arrive={"police": 10})
    second = whistle_of("police", arrive={"police": 20})
    third = whistle_of("police", arrive={"police": 40})
    fourth = whistle_of("police", arrive={"police": None})
    _rate(demo, first, {"police": (5, 5, 4)}, deps)
    _rate(demo, second, {"police": (4, 4, 4)}, deps)
    _rate(demo, third, {"police": (3, 2, 3)}, deps)
    vetoed = services.evaluate(
        demo["street_jinhaihu"], fourth.check_ins.get(), response=1, cooperation=1, result=1,
        veto=True, veto_reason="未到场",
    )  # fmt: skip
    services.review_veto(demo["district_pinggu"], vetoed, upheld=True, reason="属实")
    score = DepartmentScore.objects.get(
        department=deps["police"], period=scoring.periods_of(first.blown_at)[0]
    )
    assert (score.whistles, score.check_ins, score.on_time, score.overdue) == (4, 4, 2, 2)
    assert (score.on_time_rate, score.overdue_share) == (Decimal("0.5"), Decimal("0.5"))
    assert (score.check_in_seconds_p50, score.check_in_seconds_p90) == (1200, 2400)
    assert score.mean_rating == Decimal("3.083")  # (14/3 + 4 + 8/3 + 1) / 4 = 37/12
    assert score.vetoes == 1
    # 40 × 0.5 + 45 × (37/12 − 1) / 4 + 15 × (1 − 0.5) − 10 × 1 = 20 + 23.4375 + 7.5 − 10
    # (the formula runs on the exact values; only what is stored is rounded)
    assert score.score == Decimal("40.94")


def test_a_whistle_belongs_to_the_period_of_its_blowing_in_shanghai(demo, deps, whistle_of):
    # 2026-10-31 17:30 UTC is 2026-11-01 01:30 in Beijing: November, Q4
    with time_machine.travel(datetime(2026, 10, 31, 17, 30, tzinfo=UTC), tick=True):
        whistle = whistle_of("police", arrive={"police": 5})
        _rate(demo, whistle, {"police": (5, 5, 5)}, deps)
    periods = set(DepartmentScore.objects.values_list("period", flat=True))
    assert periods == {"2026-11", "2026-Q4", "2026"}


def test_recomputing_from_scratch_equals_the_incremental_result(demo, deps, whistle_of):
    whistles = [
        whistle_of("police", "chengguan", arrive={"police": 3, "chengguan": 45}),
        whistle_of("police", "planning", arrive={"planning": 29}),
        # 平谷区规划国土 summoned again and never evaluated: the resolve alone must count it
        whistle_of("chengguan", "planning", arrive={"chengguan": 31}),
    ]
    _rate(demo, whistles[0], {"police": (5, 4, 5), "chengguan": (2, 3, 2)}, deps)
    _rate(demo, whistles[1], {"planning": (4, 4, 5)}, deps, veto=False)
    vetoed = services.evaluate(
        demo["street_jinhaihu"], whistles[1].check_ins.get(department=deps["police"]),
        response=1, cooperation=2, result=1, veto=True, veto_reason="未到场",
    )  # fmt: skip
    services.review_veto(demo["district_pinggu"], vetoed, upheld=False, reason="已说明")
    _rate(demo, whistles[2], {"chengguan": (3, 3, 3)}, deps)

    fields = [f.name for f in DepartmentScore._meta.fields if f.name not in ("id", "computed_at")]
    incremental = {
        (s["department"], s["period"]): s for s in DepartmentScore.objects.values(*fields)
    }
    assert len(incremental) == 9  # three departments × month, quarter, year
    DepartmentScore.objects.all().delete()
    scoring.recompute_all(scoring.periods_of(whistles[0].blown_at))
    scratch = {(s["department"], s["period"]): s for s in DepartmentScore.objects.values(*fields)}
    assert scratch == incremental


def test_an_adjustment_sits_beside_the_score_and_a_confirmed_period_is_locked(
    demo, deps, whistle_of
):
    whistle = whistle_of("police", arrive={"police": 10})
    _rate(demo, whistle, {"police": (4, 4, 4)}, deps)
    period = scoring.periods_of(whistle.blown_at)[0]
    score = DepartmentScore.objects.get(department=deps["police"], period=period)
    computed = score.score
    with pytest.raises(ValidationError) as exc:
        services.adjust_score(demo["district_pinggu"], score, adjusted_score="101", reason="")
    assert set(exc.value.message_dict) == {"adjusted_score", "reason"}
    with pytest.raises(PermissionDenied):
        services.adjust_score(demo["street_jinhaihu"], score, adjusted_score=90, reason="x")
    services.adjust_score(
        demo["district_pinggu"], score, adjusted_score="95.5", reason="抢险表现突出"
    )
    score.refresh_from_db()
    assert (score.score, score.adjusted_score, score.final_score) == (
        computed,
        Decimal("95.50"),
        Decimal("95.50"),
    )
    district = score.district
    assert services.confirm_period(demo["district_pinggu"], district, period) == 1
    with pytest.raises(Conflict):
        services.adjust_score(demo["district_pinggu"], score, adjusted_score=80, reason="x")
    # a later evaluation of a whistle of the confirmed period does not move the locked score,
    # nor does a department without a score yet appear in the confirmed period
    later = whistle_of("police", "planning", arrive={"police": None})
    _rate(demo, later, {"police": (1, 1, 1), "planning": (5, 5, 5)}, deps)
    score.refresh_from_db()
    assert (score.score, score.check_ins) == (computed, 1)
    assert not DepartmentScore.objects.filter(department=deps["planning"], period=period).exists()
    assert DepartmentScore.objects.filter(department=deps["planning"], period=period[:4]).exists()
    quarter = DepartmentScore.objects.get(department=deps["police"], period=period[:4] + "-Q4")
    assert quarter.check_ins == 2  # the quarter is not confirmed
    with pytest.raises(Conflict):
        services.confirm_period(demo["district_pinggu"], district, period)


def test_the_formula_is_floored_at_zero_and_uses_the_configured_weights(settings):
    assert scoring.formula(Decimal("0"), Decimal("1"), Decimal("1"), 3) == Decimal("0.00")
    assert scoring.formula(Decimal("1"), Decimal("5"), Decimal("0"), 0) == Decimal("100.00")
    assert scoring.formula(None, None, None, 0) == Decimal("77.50")  # 40 + 22.5 + 15
    settings.EVALUATION_WEIGHTS = {"on_time": 50, "rating": 50, "not_overdue": 0, "veto": 5}
    assert scoring.formula(Decimal("1"), Decimal("3"), Decimal("0"), 1) == Decimal("70.00")


def test_percentiles_are_nearest_rank():
    assert scoring.nearest_rank([], 90) is None
    assert scoring.nearest_rank([600], 90) == 600
    values = list(range(1, 11))  # 1..10
    assert scoring.nearest_rank(values, 50) == 5
    assert scoring.nearest_rank(values, 90) == 9
    assert scoring.parse_period("2026-Q4").end.isoformat() == "2027-01-01"
    assert scoring.parse_period("2026-12").end.isoformat() == "2027-01-01"
    for bad in ("2026-13", "2026-Q0", "26", "", "1999", "2026-1"):
        assert scoring.parse_period(bad) is None


def test_the_rescore_task_is_sent_after_commit(
    demo, deps, whistle_of, monkeypatch, django_capture_on_commit_callbacks
):
    from evaluation import tasks

    monkeypatch.undo()  # the real _rescore_after_commit
    sent = []
    monkeypatch.setattr(tasks.recompute_for_whistle, "delay", lambda *args: sent.append(args))
    whistle = whistle_of("police", arrive={"police": 10})
    with django_capture_on_commit_callbacks(execute=True):
        _rate(demo, whistle, {"police": (4, 4, 4)}, deps)
    assert sent == [([deps["police"].pk], whistle.blown_at.isoformat())]
    assert not DepartmentScore.objects.exists()  # computed by the task, not in the request
    tasks.recompute_for_whistle.apply(args=sent[0]).get()
    assert DepartmentScore.objects.filter(department=deps["police"]).count() == 3
    # the broker down: computed in the request instead, nothing lost
    monkeypatch.setattr(
        tasks.recompute_for_whistle, "delay", lambda *a: (_ for _ in ()).throw(OSError("down"))
    )
    DepartmentScore.objects.all().delete()
    services.send_rescore(deps["police"].pk, whistle.blown_at)
    assert DepartmentScore.objects.filter(department=deps["police"]).count() == 3


def test_the_nightly_task_recomputes_the_recent_periods_from_scratch(demo, deps, whistle_of):
    from evaluation import tasks

    whistle = whistle_of("police", arrive={"police": 10})
    _rate(demo, whistle, {"police": (4, 4, 4)}, deps)
    DepartmentScore.objects.filter(period=scoring.periods_of(whistle.blown_at)[0]).update(
        score=Decimal("1.00"), whistles=99
    )  # drift, as if a task had been lost
    assert tasks.recompute_recent.apply().get() >= 3
    score = DepartmentScore.objects.get(
        department=deps["police"], period=scoring.periods_of(whistle.blown_at)[0]
    )
    assert (score.whistles, score.score) == (
        1,
        scoring.formula(Decimal(1), Decimal(4), Decimal(0), 0),
    )
    assert set(scoring.recent_periods()) >= set(scoring.periods_of(timezone.now()))
