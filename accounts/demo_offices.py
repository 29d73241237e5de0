"""The demo's internal structure of every street (六办一队三中心): the six offices, the
enforcement team and the three centres. Their leads are the street's committee members of the
demo, in order (a street with fewer has offices without a lead); the street's officials work in
the office they lead, the others in the offices in turn. Running it twice writes nothing."""

from core.roles import Role

from .choices import OfficeKind
from .models import Membership, Street, StreetOffice

STANDARD_STRUCTURE = [
    (OfficeKind.OFFICE, "党政综合办公室"),
    (OfficeKind.OFFICE, "党群工作办公室"),
    (OfficeKind.OFFICE, "社区建设办公室"),
    (OfficeKind.OFFICE, "城市管理办公室"),
    (OfficeKind.OFFICE, "民生保障办公室"),
    (OfficeKind.OFFICE, "平安建设办公室"),
    (OfficeKind.TEAM, "综合执法队"),
    (OfficeKind.CENTRE, "党群服务中心"),
    (OfficeKind.CENTRE, "市民服务中心"),
    (OfficeKind.CENTRE, "网格化服务管理中心"),
]


def seed_offices(streets=None) -> dict[str, int]:
    from .demo import _sync

    streets = list(streets if streets is not None else Street.objects.order_by("id"))
    memberships = list(
        Membership.objects.filter(
            street__in=streets, role__in=[Role.COMMITTEE_MEMBER, Role.STREET_OFFICIAL]
        ).order_by("id")
    )
    leads = {}  # street id -> committee members' user ids, in order
    for m in memberships:
        if m.role == Role.COMMITTEE_MEMBER:
            leads.setdefault(m.street_id, [])
            if m.user_id not in leads[m.street_id]:
                leads[m.street_id].append(m.user_id)
    rows = []
    for street in streets:
        people = leads.get(street.pk, [])
        for position, (kind, name) in enumerate(STANDARD_STRUCTURE):
            rows.append(
                {
                    "street": street,
                    "name": name,
                    "kind": kind,
                    "position": position,
                    "lead_id": people[position] if position < len(people) else None,
                }
            )
    offices = _sync(StreetOffice, ("street", "name"), rows)
    by_street = {}
    for (street_id, _name), office in sorted(offices.items(), key=lambda x: x[1].position):
        by_street.setdefault(street_id, []).append(office)
    changed = []
    turn = {}
    for m in memberships:
        if m.role != Role.STREET_OFFICIAL or m.office_id is not None:
            continue  # an office named already (by the street, or the first run) stays
        units = by_street.get(m.street_id)
        if not units:
            continue
        led = [o for o in units if o.lead_id == m.user_id]
        if led:
            office = led[0]
        else:
            office = units[turn.get(m.street_id, 0) % len(units)]
            turn[m.street_id] = turn.get(m.street_id, 0) + 1
        m.office = office
        changed.append(m)
    if changed:
        Membership.objects.bulk_update(changed, ["office"])
    return {"offices": StreetOffice.objects.count()}
