"""The one action on a review follow-up: resolving it (4.5d; issue 15). The account page shows
the open follow-ups with this form; another school's follow-up is a 404 like a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404, require

from . import followups
from .forms import FollowUpResolveForm


@login_required
@require_POST
def followup_resolve(request, pk: int):
    followup = get_visible_or_404(request.user, followups.followup_visible_to(request.user), pk=pk)
    require(
        followups.may_resolve(request.user, followup),
        "Only the follow-up's owner or a leader of the school resolves it.",
    )
    form = FollowUpResolveForm(request.POST)
    back = reverse("channels:account_detail", kwargs={"pk": followup.account_id}) + "#followups"
    if not form.is_valid():
        messages.error(request, "Say what was done about the concern, then resolve it.")
        return redirect(back)
    try:
        followups.followup_resolve(
            actor=request.user, followup=followup, resolution=form.cleaned_data["resolution"]
        )
    except followups.FollowUpError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Follow-up resolved; the school's leaders are told.")
    return redirect(back)
