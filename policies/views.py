"""Thin views of the policy register: find through the access helper, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404, require
from accounts.models import School
from accounts.selectors import is_trust_admin, schools_visible_to

from .filters import PolicyFilter
from .forms import (
    PolicyAdoptForm,
    PolicyCreateForm,
    PolicyEditForm,
    PolicyReviewForm,
)
from .models import Acknowledgement, ApprovingBody
from .selectors import (
    applies_to,
    can_create_any,
    can_manage,
    leader_school_ids,
    manageable_school_ids,
    outstanding_for_school,
    policies_for_acknowledgement,
    policies_visible_to,
    register_for,
    versions_visible_to,
)
from .services import (
    PolicyError,
    policy_acknowledge,
    policy_adopt,
    policy_create,
    policy_review_record,
    policy_update,
)
from .variants import variant_standing

# Lists that grow (issue 18): search, filters and pages of this many rows.
LIST_PAGE_SIZE = 25


@login_required
def policy_list(request):
    schools = schools_visible_to(request.user).filter(
        pk__in=policies_visible_to(request.user).values("school")
    )
    found = PolicyFilter(request.GET or None, queryset=register_for(request.user), schools=schools)
    page = Paginator(found.qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "policies/policy_list.html",
        {
            "policies": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "filter": found,
            "can_create": can_create_any(request.user),
        },
    )


@login_required
def policy_detail(request, pk: int):
    policy = get_visible_or_404(
        request.user,
        policies_visible_to(request.user).select_related(
            "school", "owner", "current_version", "variant_of"
        ),
        pk=pk,
    )
    acknowledged = (
        policy.current_version_id is not None
        and Acknowledgement.objects.filter(
            user=request.user, version_id=policy.current_version_id
        ).exists()
    )
    return render(
        request,
        "policies/policy_detail.html",
        {
            "policy": policy,
            "versions": policy.versions.select_related("created_by"),
            "reviews": policy.reviews.select_related("version", "recorded_by"),
            "adoptions": policy.adoptions.select_related("school", "local_variant"),
            "can_manage": can_manage(request.user, policy),
            "can_adopt": policy.is_trust_wide and bool(manageable_school_ids(request.user)),
            "asks_me": policy.requires_acknowledgement and applies_to(request.user, policy),
            "acknowledged": acknowledged,
            "variant": variant_standing(policy),
        },
    )


@login_required
def policy_create_view(request):
    require(can_create_any(request.user), "You may not add policies.")
    form = PolicyCreateForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        school = data["school"]
        try:
            policy = policy_create(
                actor=request.user,
                trust=school.trust if school else _admin_trust(request.user),
                school=school,
                title=data["title"],
                category=data["category"],
                owner=data["owner"],
                approving_body=data["approving_body"],
                approved_on=data["approved_on"],
                review_due=data["review_due"],
                review_interval_months=data["review_interval_months"],
                requires_acknowledgement=data["requires_acknowledgement"],
                document=data["document"],
            )
        except PolicyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{policy.title} added to the register.")
            return redirect("policies:detail", pk=policy.pk)
    return render(request, "policies/policy_form.html", {"form": form})


def _admin_trust(user):
    school = schools_visible_to(user).select_related("trust").first()
    if school is None or not is_trust_admin(user):
        raise Http404
    return school.trust


@login_required
def policy_edit(request, pk: int):
    policy = get_visible_or_404(
        request.user, policies_visible_to(request.user).select_related("school"), pk=pk
    )
    require(can_manage(request.user, policy), "Only the policy's managers may change it.")
    form = PolicyEditForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            policy_update(actor=request.user, policy=policy, **form.cleaned_data)
        except PolicyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Policy details saved.")
            return redirect("policies:detail", pk=policy.pk)
    return render(request, "policies/policy_edit.html", {"form": form, "policy": policy})


@login_required
def policy_review(request, pk: int):
    policy = get_visible_or_404(
        request.user, policies_visible_to(request.user).select_related("school"), pk=pk
    )
    require(can_manage(request.user, policy), "Only the policy's managers may record a review.")
    form = PolicyReviewForm(request.POST or None, request.FILES or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            policy_review_record(
                actor=request.user,
                policy=policy,
                new_version=data["outcome"] == "new_version",
                approved_on=data["approved_on"],
                approved_by=data["approved_by"],
                next_review_due=data["review_due"],
                document=data["document"] if data["outcome"] == "new_version" else None,
                summary=data["summary"],
                notes=data["notes"],
            )
        except PolicyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Review recorded.")
            return redirect("policies:detail", pk=policy.pk)
    return render(request, "policies/policy_review.html", {"form": form, "policy": policy})


@login_required
def policy_adopt_view(request, pk: int):
    policy = get_visible_or_404(request.user, policies_visible_to(request.user), pk=pk)
    require(
        policy.is_trust_wide and bool(manageable_school_ids(request.user)),
        "You may not adopt this policy.",
    )
    form = PolicyAdoptForm(
        request.POST or None, request.FILES or None, user=request.user, policy=policy
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            policy_adopt(
                actor=request.user,
                policy=policy,
                school=data["school"],
                adopted_on=data["adopted_on"],
                local_variant_document=data["document"],
                approved_by=data["variant_approved_by"] or ApprovingBody.LOCAL_GOVERNING_BODY,
                approved_on=data["variant_approved_on"],
                review_due=data["variant_review_due"],
            )
        except PolicyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{data['school']} adopted {policy.title}.")
            return redirect("policies:detail", pk=policy.pk)
    return render(request, "policies/policy_adopt.html", {"form": form, "policy": policy})


@login_required
def version_download(request, pk: int):
    version = get_visible_or_404(
        request.user, versions_visible_to(request.user).select_related("policy"), pk=pk
    )
    if not version.document:
        raise Http404
    extension = version.document.name.rsplit(".", 1)[-1]
    try:
        handle = version.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None  # the row outlived its file (restored database, lost volume)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{version.policy.title} v{version.number}.{extension}",
        content_type=version.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def policy_acknowledge_view(request, pk: int):
    policy = get_visible_or_404(
        request.user, policies_visible_to(request.user).select_related("current_version"), pk=pk
    )
    try:
        policy_acknowledge(user=request.user, policy=policy)
    except PolicyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Thank you: you acknowledged {policy.title}, version "
            f"{policy.current_version.number}."
        )  # fmt: skip
    return redirect("policies:detail", pk=policy.pk)


@login_required
def my_policies(request):
    return render(
        request,
        "policies/my_policies.html",
        {"policies": policies_for_acknowledgement(request.user)},
    )


@login_required
def outstanding(request):
    schools = list(School.objects.filter(pk__in=leader_school_ids(request.user)))
    require(bool(schools), "Only school leaders see who has not acknowledged.")
    chosen = schools[0]
    wanted = request.GET.get("school")
    if wanted:
        chosen = get_visible_or_404(
            request.user, School.objects.filter(pk__in=[s.pk for s in schools]), pk=wanted
        )
    return render(
        request,
        "policies/outstanding.html",
        {"schools": schools, "school": chosen, "rows": outstanding_for_school(chosen)},
    )
