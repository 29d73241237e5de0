from accounts.scope import scope_of

from .scope import frontline_of


def frontline(request):
    """Whether the header offers the front line: to its people and to the offices above it."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"frontline_nav": False}
    scope = scope_of(user)
    return {
        "frontline_nav": bool(scope.street_ids or scope.district_ids or scope.everything)
        or frontline_of(user).anything
    }
