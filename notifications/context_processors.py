from .models import Notification


def unread(request):
    """`unread_notifications`: the signed-in person's unread count, counted (one COUNT query)
    only when a template uses it, and once per render."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memo = []

    def count() -> int:
        if not memo:
            memo.append(Notification.objects.filter(recipient=user, read_at=None).count())
        return memo[0]

    return {"unread_notifications": count}
