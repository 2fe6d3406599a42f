"""State changes of the policy register (header and clause 8). Each checks its rule, runs in
one transaction, writes the audit entry and queues its notifications."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import School, Trust, User
from accounts.roles import SchoolRole, TrustRoleKind
from accounts.selectors import holders_of_role, staff_of_school, trust_role_holders
from audit.services import record
from notifications.services import notify

from . import variants
from .documents import DocumentError, check_document
from .errors import PolicyError, next_review_date
from .models import (
    Acknowledgement,
    ApprovingBody,
    Policy,
    PolicyAdoption,
    PolicyReview,
    PolicyVersion,
    review_status_for,
)
from .selectors import (
    applies_to,
    can_manage,
    due_for_digest,
    policies_needing_reminder,
    reminder_stage,
)


def _store_version(
    policy: Policy, *, actor, number: int, document, approved_on: date, approved_by: str,
    summary: str = "",
) -> PolicyVersion:  # fmt: skip
    version = PolicyVersion(
        policy=policy,
        number=number,
        approved_on=approved_on,
        approved_by=approved_by,
        summary=summary,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if document is not None:
        try:
            checked = check_document(document)
        except DocumentError as exc:
            raise PolicyError(str(exc)) from None
        version.content_type = checked.content_type
        version.size = checked.size
        version.sha256 = checked.sha256
        version.original_filename = (getattr(document, "name", "") or "")[:200]
        # The stored name is ours: nothing of the uploaded name reaches the file system.
        version.document.save(
            f"policy-{policy.pk}-v{number}-{checked.sha256[:12]}.{checked.extension}",
            document,
            save=False,
        )
    version.save()
    return version


def _ask_staff_to_acknowledge(policy: Policy, version: PolicyVersion) -> None:
    if not policy.requires_acknowledgement:
        return
    if policy.school_id is not None:
        people = staff_of_school(policy.school_id)
    else:
        people = User.objects.filter(
            is_active=True, memberships__school__trust_id=policy.trust_id
        ).distinct()
        variant_schools = Policy.objects.filter(variant_of=policy).values("school_id")
        # Staff whose only schools replaced the policy with their own variant are not asked.
        people = people.filter(
            memberships__school__in=School.objects.filter(trust_id=policy.trust_id).exclude(
                pk__in=variant_schools
            )
        )
    notify(
        people,
        "policies.acknowledge_requested",
        context={"policy_title": policy.title, "version": version.number},
        link=reverse("policies:detail", args=[policy.pk]),
        school=policy.school_id,
        dedupe_key=f"policies.ack:{version.pk}",
    )


def policy_create(
    *,
    actor: User,
    trust: Trust,
    school: School | None,
    title: str,
    category: str,
    owner: User | None,
    approving_body: str,
    approved_on: date,
    review_due: date | None = None,
    review_interval_months: int | None = None,
    requires_acknowledgement: bool = True,
    document=None,
    summary: str = "",
    code: str = "",
) -> Policy:
    """Add a policy to the register with its approved version (header; clause 8)."""
    probe = Policy(trust=trust, school=school)
    if not can_manage(actor, probe):
        raise PolicyError("You may not add policies here.")
    if school is not None and school.trust_id != trust.pk:
        raise PolicyError("That school is not part of the trust.")
    due = next_review_date(approved_on, review_interval_months, review_due)
    if due <= approved_on:
        raise PolicyError("The review date must come after the approval date.")
    with transaction.atomic():
        policy = Policy.objects.create(
            trust=trust,
            school=school,
            title=title,
            category=category,
            code=code,
            owner=owner,
            approving_body=approving_body,
            review_interval_months=review_interval_months,
            review_due=due,
            requires_acknowledgement=requires_acknowledgement,
        )
        version = _store_version(
            policy,
            actor=actor,
            number=1,
            document=document,
            approved_on=approved_on,
            approved_by=approving_body,
            summary=summary,
        )
        policy.current_version = version
        policy.save(update_fields=["current_version"])
        PolicyReview.objects.create(
            policy=policy,
            outcome=PolicyReview.Outcome.CREATED,
            version=version,
            approved_on=approved_on,
            approved_by=approving_body,
            next_review_due=due,
            recorded_by=actor,
        )
        record(
            actor,
            "policy.created",
            policy,
            school,
            {"title": title, "review_due": due, "approved_on": approved_on},
        )
        _ask_staff_to_acknowledge(policy, version)
    return policy


def policy_review_record(
    *,
    actor: User,
    policy: Policy,
    new_version: bool,
    approved_on: date,
    approved_by: str,
    next_review_due: date | None = None,
    document=None,
    summary: str = "",
    notes: str = "",
) -> PolicyReview:
    """Record a review (header: "Review Date"): a new approved version, or "reviewed, no
    change". Moves the review date on and keeps the history; a new version asks staff again."""
    if not can_manage(actor, policy):
        raise PolicyError("Only the policy's managers may record a review.")
    if approved_by not in ApprovingBody.values:
        raise PolicyError("Choose the body that approved the review.")
    if approved_on > timezone.localdate():
        raise PolicyError("The approval date cannot be in the future.")
    due = next_review_date(approved_on, policy.review_interval_months, next_review_due)
    if due <= approved_on:
        raise PolicyError("The next review date must come after the approval date.")
    if new_version and document is None:
        raise PolicyError("A new version needs its document.")
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        previous_due = policy.review_due
        if new_version:
            number = (policy.versions.order_by("-number").values_list("number", flat=True).first()
                      or 0) + 1  # fmt: skip
            version = _store_version(
                policy,
                actor=actor,
                number=number,
                document=document,
                approved_on=approved_on,
                approved_by=approved_by,
                summary=summary,
            )
            policy.current_version = version
        else:
            version = policy.current_version
            if version is None:
                raise PolicyError("This policy has no version yet: upload one.")
        policy.review_due = due
        policy.save(update_fields=["review_due", "current_version"])
        variants.rebase_on_review(policy)
        review = PolicyReview.objects.create(
            policy=policy,
            outcome=(
                PolicyReview.Outcome.NEW_VERSION if new_version else PolicyReview.Outcome.NO_CHANGE
            ),
            version=version,
            approved_on=approved_on,
            approved_by=approved_by,
            previous_review_due=previous_due,
            next_review_due=due,
            notes=notes,
            recorded_by=actor,
        )
        record(
            actor,
            "policy.reviewed",
            policy,
            policy.school_id,
            {
                "outcome": review.outcome,
                "version": version.number,
                "approved_on": approved_on,
                "previous_review_due": previous_due,
                "next_review_due": due,
            },
        )
        if policy.owner_id and policy.owner_id != getattr(actor, "pk", None):
            notify(
                [policy.owner],
                "policies.reviewed",
                context={"policy_title": policy.title, "next_review_due": due.isoformat()},
                link=reverse("policies:detail", args=[policy.pk]),
                school=policy.school_id,
            )
        if new_version:
            _ask_staff_to_acknowledge(policy, version)
    return review


def policy_adopt(
    *,
    actor: User,
    policy: Policy,
    school: School,
    adopted_on: date,
    local_variant_document=None,
    approved_by: str = ApprovingBody.LOCAL_GOVERNING_BODY,
    approved_on: date | None = None,
    review_due: date | None = None,
) -> PolicyAdoption:
    """A school adopts a trust-wide policy (clause 8), with its own local variant if it needs
    one; the variant then replaces the trust-wide text for the school's staff. A variant has
    its own approval and review dates (policies.variants), never the trust policy's."""
    if policy.school_id is not None:
        raise PolicyError("Only a trust-wide policy can be adopted.")
    if school.trust_id != policy.trust_id:
        raise PolicyError("That school is not part of the policy's trust.")
    if not can_manage(actor, Policy(trust_id=policy.trust_id, school=school)):
        raise PolicyError("You may not adopt policies for that school.")
    if PolicyAdoption.objects.filter(policy=policy, school=school).exists():
        raise PolicyError(f"{school} has already adopted this policy.")
    if local_variant_document is not None:
        if approved_by not in ApprovingBody.values:
            raise PolicyError("Choose the body that approved the local variant.")
        try:
            variant_approved_on, variant_due = variants.variant_dates(
                parent=policy, adopted_on=adopted_on, approved_on=approved_on, review_due=review_due
            )
        except variants.VariantDateError as exc:
            raise PolicyError(str(exc)) from None
    with transaction.atomic():
        variant = None
        if local_variant_document is not None:
            variant = Policy.objects.create(
                trust_id=policy.trust_id,
                school=school,
                title=f"{policy.title} ({school.name})",
                category=policy.category,
                owner=policy.owner if policy.owner_id else None,
                approving_body=approved_by,
                review_interval_months=policy.review_interval_months,
                review_due=variant_due,
                requires_acknowledgement=policy.requires_acknowledgement,
                variant_of=policy,
                variant_base_version_id=policy.current_version_id,
            )
            version = _store_version(
                variant,
                actor=actor,
                number=1,
                document=local_variant_document,
                approved_on=variant_approved_on,
                approved_by=approved_by,
            )
            variant.current_version = version
            variant.save(update_fields=["current_version"])
            PolicyReview.objects.create(
                policy=variant,
                outcome=PolicyReview.Outcome.CREATED,
                version=version,
                approved_on=variant_approved_on,
                approved_by=approved_by,
                next_review_due=variant.review_due,
                recorded_by=actor,
            )
            _ask_staff_to_acknowledge(variant, version)
        adoption = PolicyAdoption.objects.create(
            policy=policy,
            school=school,
            adopted_on=adopted_on,
            local_variant=variant,
            recorded_by=actor,
        )
        record(
            actor,
            "policy.adopted",
            policy,
            school,
            {
                "local_variant": variant.pk if variant else None,
                "adopted_on": adopted_on,
                "variant_approved_by": approved_by if variant else None,
                "variant_approved_on": variant_approved_on if variant else None,
                "variant_review_due": variant_due if variant else None,
            },
        )
    return adoption


def policy_acknowledge(*, user: User, policy: Policy) -> Acknowledgement:
    """A member of staff (2.1) acknowledges the current version of a policy that applies to
    them. The row names the exact version, so a new version asks again."""
    if policy.current_version_id is None:
        raise PolicyError("This policy has no version to acknowledge yet.")
    if not policy.requires_acknowledgement or not applies_to(user, policy):
        raise PolicyError("This policy does not ask you for an acknowledgement.")
    with transaction.atomic():
        ack, created = Acknowledgement.objects.get_or_create(
            user=user, version_id=policy.current_version_id
        )
        if not created:
            raise PolicyError("You have already acknowledged this version.")
        record(
            user,
            "policy.acknowledged",
            policy,
            policy.school_id,
            {"version": policy.current_version.number},
        )
    return ack


# --- Reminders ------------------------------------------------------------------------------


def policy_reminders_send(today: date | None = None) -> int:
    """Remind owners at 60, 30 and 7 days before the review date and weekly while overdue
    (header: "Review Date"). Each reminder goes once per policy, due date and stage: the
    dedupe key makes a second run of the beat task a no-op."""
    today = today or timezone.localdate()
    sent = 0
    for policy in policies_needing_reminder(today):
        stage = reminder_stage(policy.review_due, today)
        if stage is None:
            continue
        overdue = stage.startswith("overdue")
        with transaction.atomic():
            created = notify(
                [policy.owner],
                "policies.review_overdue" if overdue else "policies.review_due",
                context={
                    "policy_title": policy.title,
                    "school": policy.school.name if policy.school_id else "Trust-wide",
                    "review_due": policy.review_due.isoformat(),
                    "days_left": (policy.review_due - today).days,
                },
                link=reverse("policies:detail", args=[policy.pk]),
                school=policy.school_id,
                dedupe_key=f"policies.review:{policy.pk}:{policy.review_due.isoformat()}:{stage}",
            )
            if created:
                record(
                    None,
                    "policy.reminder_sent",
                    policy,
                    policy.school_id,
                    {"stage": stage, "review_due": policy.review_due},
                )
                sent += len(created)
    return sent


def policy_digest_send(today: date | None = None) -> int:
    """The weekly digest of what is due, to the trust's leads: trust administrators get every
    school's, headteachers their school's and the trust-wide ones. Once per ISO week."""
    today = today or timezone.localdate()
    due = due_for_digest(today)
    if not due:
        return 0
    year, week, _ = today.isocalendar()
    key = f"policies.digest:{year}-W{week:02d}"

    def item(p: Policy) -> dict:
        return {
            "title": p.title,
            "school": p.school.name if p.school_id else "Trust-wide",
            "review_due": p.review_due.isoformat(),
            "status": review_status_for(p.review_due, today),
        }

    sent = 0
    with transaction.atomic():
        trust_ids = {p.trust_id for p in due}
        for trust_id in trust_ids:
            in_trust = [p for p in due if p.trust_id == trust_id]
            admins = trust_role_holders(TrustRoleKind.TRUST_ADMIN).filter(
                trust_roles__trust_id=trust_id
            )
            sent += len(
                notify(
                    admins,
                    "policies.weekly_digest",
                    context={"due_policies": [item(p) for p in in_trust]},
                    link=reverse("policies:list"),
                    dedupe_key=key,
                )
            )
            for school in School.objects.filter(trust_id=trust_id):
                mine = [p for p in in_trust if p.school_id in (None, school.pk)]
                sent += len(
                    notify(
                        holders_of_role(school, SchoolRole.HEADTEACHER),
                        "policies.weekly_digest",
                        context={"due_policies": [item(p) for p in mine]},
                        link=reverse("policies:list"),
                        school=school,
                        dedupe_key=key,
                    )
                )
    return sent


def policy_owner_set(*, actor: User | None, policy: Policy, owner: User | None) -> Policy:
    """Give the policy an owner, who receives its review reminders (header: "Review Date")."""
    if actor is not None and not can_manage(actor, policy):
        raise PolicyError("Only the policy's managers may change its owner.")
    with transaction.atomic():
        previous = policy.owner_id
        policy.owner = owner
        policy.save(update_fields=["owner"])
        record(actor, "policy.owner_changed", policy, policy.school_id,
               {"from": previous, "to": owner.pk if owner else None})  # fmt: skip
    return policy


def policy_update(
    *,
    actor: User,
    policy: Policy,
    title: str,
    owner: User | None,
    review_interval_months: int | None,
    requires_acknowledgement: bool,
) -> Policy:
    """Change a policy's details (clause 8 register). The review date and the versions move
    only by recording a review, so the history stays true."""
    if not can_manage(actor, policy):
        raise PolicyError("Only the policy's managers may change it.")
    if (
        owner is not None
        and policy.school_id is not None
        and not staff_of_school(policy.school_id).filter(pk=owner.pk).exists()
    ):
        raise PolicyError("The owner must be a member of the school's staff.")
    with transaction.atomic():
        before = {
            "title": policy.title,
            "owner": policy.owner_id,
            "review_interval_months": policy.review_interval_months,
            "requires_acknowledgement": policy.requires_acknowledgement,
        }
        policy.title = title
        policy.owner = owner
        policy.review_interval_months = review_interval_months
        policy.requires_acknowledgement = requires_acknowledgement
        policy.save(
            update_fields=["title", "owner", "review_interval_months", "requires_acknowledgement"]
        )
        after = {
            "title": title,
            "owner": owner.pk if owner else None,
            "review_interval_months": review_interval_months,
            "requires_acknowledgement": requires_acknowledgement,
        }
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changed:
            record(actor, "policy.updated", policy, policy.school_id, {"changed": changed})
        if owner is not None and before["owner"] != owner.pk and owner.pk != actor.pk:
            notify(
                [owner],
                "policies.owner_assigned",
                context={"policy_title": policy.title, "review_due": policy.review_due.isoformat()},
                link=reverse("policies:detail", args=[policy.pk]),
                school=policy.school_id,
            )
    return policy
