"""Who is told about evaluations and vetoes (in the transaction: the outbox)."""

from core.roles import Role
from notifications.audiences import committee, dispatchers, district_role, leaders, link, tell

EVALUATED = "evaluation.evaluated"
VETOED = "evaluation.vetoed"
VETO_REVIEWED = "evaluation.veto_reviewed"


def _link(evaluation) -> str:
    return link("evaluation:whistle", "api:whistle-detail", evaluation.whistle_id)


def evaluated(evaluation) -> None:
    from django.utils.translation import gettext as _

    whistle, department = evaluation.whistle, evaluation.department
    tell(
        dispatchers(department.pk),
        kind=EVALUATED,
        compose=lambda: (
            _("%(street)s evaluated %(department)s on whistle %(number)s")
            % {
                "street": whistle.street.name,
                "department": department.name,
                "number": whistle.number,
            },
            _("Response %(response)s, cooperation %(cooperation)s, result %(result)s. %(comment)s")
            % {
                "response": evaluation.response,
                "cooperation": evaluation.cooperation,
                "result": evaluation.result,
                "comment": evaluation.comment,
            },
        ),
        link=_link(evaluation),
        dedupe_key=f"evaluation:{evaluation.pk}:evaluated",
    )
    if evaluation.veto_status:
        tell(
            dispatchers(department.pk)
            | leaders(department.pk)
            | district_role(Role.DISTRICT_REVIEWER, whistle.street.district_id),
            kind=VETOED,
            compose=lambda: (
                _("Veto: %(street)s vetoed %(department)s on whistle %(number)s")
                % {
                    "street": whistle.street.name,
                    "department": department.name,
                    "number": whistle.number,
                },
                evaluation.veto_reason,
            ),
            link=_link(evaluation),
            dedupe_key=f"evaluation:{evaluation.pk}:vetoed",
        )


def veto_reviewed(evaluation) -> None:
    from django.utils.translation import gettext as _

    whistle, department = evaluation.whistle, evaluation.department
    tell(
        committee(whistle.street_id) | dispatchers(department.pk),
        kind=VETO_REVIEWED,
        compose=lambda: (
            (
                _("The veto on %(department)s (whistle %(number)s) was upheld")
                if evaluation.veto_status == "upheld"
                else _("The veto on %(department)s (whistle %(number)s) was overturned")
            )
            % {"department": department.name, "number": whistle.number},
            evaluation.veto_review_reason,
        ),
        link=_link(evaluation),
        dedupe_key=f"evaluation:{evaluation.pk}:reviewed",
    )
