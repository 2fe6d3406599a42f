"""The person's own notifications: bell, list, open, mark as read, email preferences; and, in
development only, the outbox's emails for trust administrators (the demo's mailbox)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404
from accounts.selectors import is_trust_admin

from . import services
from .emails import build_message
from .forms import PreferenceForm
from .kinds import get_kind, object_label
from .selectors import (
    notifications_visible_to,
    outbox_for_development,
    preference_of,
    unread_count,
)

PAGE_SIZE = 25


def _row(n):
    kind = get_kind(n.kind)
    return {"n": n, "kind": kind, "label": object_label(kind, n.context)}


def _grouped(rows: list[dict]) -> list[dict]:
    """The page's rows with repeats of a kind gathered under the first (issue 18: seven
    identical reminders read as one group of seven). Order: each group where its newest is."""
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(
            row["n"].kind, {"kind": row["kind"], "rows": [], "unread": 0, "key": row["n"].pk}
        )
        group["rows"].append(row)
        group["unread"] += not row["n"].read_at
    return list(groups.values())


@login_required
def notification_list(request):
    qs = notifications_visible_to(request.user).select_related("school")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(n) for n in page.object_list]
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page, "items": rows, "groups": _grouped(rows)},
    )


@login_required
def bell(request):
    return render(request, "notifications/_bell.html", {"unread": unread_count(request.user)})


@login_required
def notification_open(request, pk: int):
    n = get_visible_or_404(request.user, notifications_visible_to(request.user), pk=pk)
    services.notification_mark_read(request.user, n)
    # Links are written by our own services, but a redirect is only ever to this site.
    if n.link and url_has_allowed_host_and_scheme(
        n.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(n.link)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_read(request, pk: int):
    n = get_visible_or_404(request.user, notifications_visible_to(request.user), pk=pk)
    services.notification_mark_read(request.user, n)
    if request.htmx:
        response = render(request, "notifications/_item.html", _row(n))
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(request.user)
    messages.success(
        request, f"{count} notification(s) marked as read." if count else "Nothing unread."
    )
    return redirect("notifications:list")


@login_required
def preferences(request):
    current = preference_of(request.user)
    # An unticked checkbox posts nothing: the form is bound on any POST, empty or not.
    data = request.POST if request.method == "POST" else None
    form = PreferenceForm(data, initial={"weekly_digest": current.weekly_digest})
    if request.method == "POST" and form.is_valid():
        services.preference_update(request.user, weekly_digest=form.cleaned_data["weekly_digest"])
        messages.success(request, "Your email preferences are saved.")
        return redirect(reverse("notifications:preferences"))
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def dev_outbox(request):
    """Development only: every email of the outbox as it was (or will be) sent, so the demo's
    emails can be read without a mail server. Production never has DEBUG on (production.py)."""
    if not (settings.DEBUG and is_trust_admin(request.user)):
        raise Http404
    page = Paginator(outbox_for_development(), PAGE_SIZE).get_page(request.GET.get("page"))
    emails = [{"n": n, "message": build_message(n)} for n in page.object_list]
    return render(request, "notifications/dev_outbox.html", {"page": page, "emails": emails})
