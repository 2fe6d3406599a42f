"""The bell in the navigation: the unread count, one query, only when a page shows it."""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user))}
