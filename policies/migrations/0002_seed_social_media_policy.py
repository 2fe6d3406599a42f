"""A fresh installation starts with the Social Media Policy exactly as the trust approved it.

Its header reads "Approved by the Trust Board 23 March 2021 / Review Date March 2023". The
register needs a day, so the review date is recorded as 31 March 2023 (the last day of the
month the policy names); the policy is therefore overdue until a review is recorded.
"""

import datetime

from django.conf import settings
from django.db import migrations

APPROVED_ON = datetime.date(2021, 3, 23)
REVIEW_DUE = datetime.date(2023, 3, 31)  # "March 2023": the last day of that month


def seed(apps, schema_editor):
    Trust = apps.get_model("accounts", "Trust")
    Policy = apps.get_model("policies", "Policy")
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    PolicyReview = apps.get_model("policies", "PolicyReview")
    trust = Trust.objects.order_by("pk").first()
    if trust is None:
        trust, _ = Trust.objects.get_or_create(name=settings.TRUST_NAME)
    if Policy.objects.filter(trust=trust, school__isnull=True, code="social-media").exists():
        return
    policy = Policy.objects.create(
        trust=trust,
        school=None,
        title="Social Media Policy",
        category="social_media",
        code="social-media",
        approving_body="trust_board",
        review_interval_months=24,
        review_due=REVIEW_DUE,
        requires_acknowledgement=True,
    )
    version = PolicyVersion.objects.create(
        policy=policy,
        number=1,
        approved_on=APPROVED_ON,
        approved_by="trust_board",
        summary="As approved by the Trust Board; review date March 2023 (recorded as 31 March 2023).",
    )
    policy.current_version = version
    policy.save(update_fields=["current_version"])
    PolicyReview.objects.create(
        policy=policy,
        outcome="created",
        version=version,
        approved_on=APPROVED_ON,
        approved_by="trust_board",
        next_review_due=REVIEW_DUE,
        notes="Recorded when the portal was installed.",
    )


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
