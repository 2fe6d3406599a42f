"""Schools, people and roles for trust administrators; invitations; leavers.

Views are thin: find the record through the access helper, call one service, render.
Anyone who can see a person (leaders see their school's staff) may open their page; only a
trust administrator may act (403), and someone outside what the user can see is a 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from ..access import get_visible_or_404, require
from ..forms.people import (
    DeactivateForm,
    InviteForm,
    PersonFilterForm,
    SchoolForm,
    SchoolRoleForm,
    TrustRoleForm,
)
from ..models import Membership, TrustRole, User
from ..roles import Perm
from ..selectors import (
    invitation_pending,
    is_trust_admin,
    leaver_events_of,
    people_list,
    people_visible_to,
    person_detail,
    school_ids_with_perm,
    schools_administered_by,
    staff_of_school,
    trust_administered_by,
)
from ..selectors import (
    school_list as select_school_list,
)
from ..services import (
    AccountsError,
    role_assign,
    role_remove,
    school_update,
    trust_role_assign,
    trust_role_remove,
    user_deactivate,
    user_invitation_accept,
    user_invite,
    user_invite_resend,
    user_reactivate,
)
from ..services import (
    school_create as create_school,
)

PEOPLE_PER_PAGE = 50


def trust_admin_required(view):
    """Signed in (else the sign-in page) and a trust administrator (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require(is_trust_admin(request.user), "Only trust administrators may do this.")
        return view(request, *args, **kwargs)

    return wrapped


# --- Schools ----------------------------------------------------------------------------


@trust_admin_required
def school_list(request):
    return render(
        request, "accounts/schools/list.html", {"schools": select_school_list(request.user)}
    )


@trust_admin_required
def school_create(request):
    form = SchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = create_school(
                actor=request.user,
                trust=trust_administered_by(request.user),
                domains=form.cleaned_data["domains"],
                **form.service_fields(),
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{school} added.")
            return redirect("accounts:school_detail", pk=school.pk)
    return render(request, "accounts/schools/form.html", {"form": form, "school": None})


@login_required
def school_detail(request, pk):
    # Only trust administrators manage schools: for anyone else a school page is missing.
    school = get_visible_or_404(request.user, schools_administered_by(request.user), pk=pk)
    head = (
        Membership.objects.filter(school=school, role="headteacher").select_related("user").first()
    )
    return render(
        request,
        "accounts/schools/detail.html",
        {
            "school": school,
            "headteacher": head.user if head else None,
            "domains": school.email_domains.all(),
            "staff_count": staff_of_school(school).count(),
        },
    )


@login_required
def school_edit(request, pk):
    # Only trust administrators manage schools: for anyone else a school page is missing.
    school = get_visible_or_404(request.user, schools_administered_by(request.user), pk=pk)
    form = SchoolForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        try:
            school_update(
                actor=request.user,
                school=school,
                domains=form.cleaned_data["domains"],
                **form.service_fields(),
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{school} saved.")
            return redirect("accounts:school_detail", pk=school.pk)
    return render(request, "accounts/schools/form.html", {"form": form, "school": school})


# --- People -----------------------------------------------------------------------------


@login_required
def person_list(request):
    require(
        bool(school_ids_with_perm(request.user, Perm.VIEW_STAFF)),
        "You may not see the list of people.",
    )
    form = PersonFilterForm(request.GET or None, user=request.user)
    people = people_list(request.user, **form.filters())
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/people/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": is_trust_admin(request.user),
        },
    )


def _person_page(request, person: User, *, school_form=None, trust_form=None, status=200):
    manage = is_trust_admin(request.user)
    context = {
        "person": person,
        "can_manage": manage,
        "is_self": person.pk == request.user.pk,
        "invitation_pending": invitation_pending(person),
    }
    if manage:
        context.update(
            school_form=school_form or SchoolRoleForm(actor=request.user),
            trust_form=trust_form or TrustRoleForm(),
            leaver_events=leaver_events_of(person),
        )
    return render(request, "accounts/people/detail.html", context, status=status)


@login_required
def person_detail_view(request, pk):
    return _person_page(request, person_detail(request.user, pk))


def _person_to_manage(request, pk) -> User:
    person = get_visible_or_404(request.user, people_visible_to(request.user), pk=pk)
    require(is_trust_admin(request.user), "Only trust administrators manage roles.")
    return person


@require_POST
@login_required
def person_role_add(request, pk):
    person = _person_to_manage(request, pk)
    form = SchoolRoleForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            role_assign(
                actor=request.user,
                user=person,
                school=form.cleaned_data["school"],
                role=form.cleaned_data["role"],
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Role added.")
            return redirect("accounts:person_detail", pk=person.pk)
    return _person_page(request, person_detail(request.user, pk), school_form=form, status=200)


@require_POST
@login_required
def person_trust_role_add(request, pk):
    person = _person_to_manage(request, pk)
    form = TrustRoleForm(request.POST)
    if form.is_valid():
        try:
            trust_role_assign(
                actor=request.user,
                user=person,
                trust=trust_administered_by(request.user),
                role=form.cleaned_data["trust_role"],
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Trust role added.")
            return redirect("accounts:person_detail", pk=person.pk)
    return _person_page(request, person_detail(request.user, pk), trust_form=form)


@require_POST
@login_required
def person_role_remove(request, pk):
    person = _person_to_manage(request, pk)
    membership = get_visible_or_404(
        request.user,
        Membership.objects.filter(
            user=person, school__in=schools_administered_by(request.user)
        ).select_related("school"),
        pk=request.POST.get("membership"),
    )
    try:
        role_remove(actor=request.user, user=person, school=membership.school, role=membership.role)
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Role removed.")
    return redirect("accounts:person_detail", pk=person.pk)


@require_POST
@login_required
def person_trust_role_remove(request, pk):
    person = _person_to_manage(request, pk)
    trust = trust_administered_by(request.user)
    trust_role = get_visible_or_404(
        request.user,
        TrustRole.objects.filter(user=person, trust=trust),
        pk=request.POST.get("trust_role"),
    )
    try:
        trust_role_remove(actor=request.user, user=person, trust=trust, role=trust_role.role)
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Trust role removed.")
    return redirect("accounts:person_detail", pk=person.pk)


@trust_admin_required
def person_invite(request):
    form = InviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = user_invite(
                request.user,
                data["email"],
                data["full_name"],
                school=data.get("school"),
                role=data.get("role") or None,
                trust_role=data.get("trust_role") or None,
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Invitation sent to {person.email}.")
            return redirect("accounts:person_detail", pk=person.pk)
    return render(request, "accounts/invite.html", {"form": form})


@require_POST
@login_required
def person_invite_resend(request, pk):
    person = _person_to_manage(request, pk)
    try:
        user_invite_resend(actor=request.user, user=person)
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Invitation sent again to {person.email}.")
    return redirect("accounts:person_detail", pk=person.pk)


@login_required
def person_deactivate(request, pk):
    person = get_visible_or_404(request.user, people_visible_to(request.user), pk=pk)
    require(is_trust_admin(request.user), "Only trust administrators deactivate people.")
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_deactivate(request.user, person, form.cleaned_data["reason"])
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{person} is deactivated and signed out everywhere.")
            return redirect("accounts:person_detail", pk=person.pk)
    return render(request, "accounts/people/deactivate.html", {"person": person, "form": form})


@require_POST
@login_required
def person_reactivate(request, pk):
    person = _person_to_manage(request, pk)
    try:
        user_reactivate(actor=request.user, user=person)
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{person} can sign in again.")
    return redirect("accounts:person_detail", pk=person.pk)


# --- Accepting an invitation ------------------------------------------------------------


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation: Django's token (it hashes the password, so it dies
    once a password is set; expiry PASSWORD_RESET_TIMEOUT) and SetPasswordForm (validators
    apply). Like password reset, the token moves from the URL into the session at once so it
    does not leak through the Referer header."""

    template_name = "accounts/invite_accept.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A deactivated leaver's old invitation must not bring the account back.
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        user_invitation_accept(user=self.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request,
            "Your password is set. Sign in with your email address and your new password.",
        )
        return redirect("accounts:login")
