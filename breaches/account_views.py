"""The case page's buttons for the official account a report names (breaches/account_actions.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_POST

from . import account_actions
from .views import _post_action


@login_required
@require_POST
def case_account_rotation(request, pk):
    return _post_action(
        request,
        pk,
        lambda c, d: account_actions.case_account_rotation_start(actor=request.user, case=c),
    )


@login_required
@require_POST
def case_account_review(request, pk):
    return _post_action(
        request,
        pk,
        lambda c, d: account_actions.case_account_review_start(actor=request.user, case=c),
    )
