"""Every page each role can reach, derived from the URL conf (issue 18's accessibility gates).

The URL conf gives every URL name. One without parameters is reversed as it is; one with
parameters gets its values from `CANDIDATES` (demo objects, one or a few per school) or is
declared in `NOT_PAGES` (a file, a redirect, an htmx fragment). A URL name that answers 405 to a
GET (a POST-only action) needs neither. Each role's Django test client then asks for every
URL: what answers 200 with a full HTML document is a page that role can reach. So a new page
is covered the day it is added; a new page with parameters fails
`test_every_parameterised_url_is_known` until someone says where its demo object comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, School, TrustRole, User
from accounts.stepup import STEP_UP_SESSION_KEY

# Django admin is Django's own UI, reached by trust administrators only; its accessibility is
# Django's (and it is not what staff and parents use). healthz is plain text for the proxy.
SKIPPED_PREFIXES = ("admin:",)
SKIPPED = {"healthz"}

# URL names with parameters that never answer a page.
NOT_PAGES = {
    "notifications:open": "marks the notification read and redirects to its link",
    "channels:comment_report_screenshot": "the screenshot file, as an attachment",
    "breaches:evidence": "an evidence file, as an attachment",
    "policies:download": "a policy document, as an attachment",
    "consents:import_progress": "the htmx fragment of the import page's progress bar",
    "openid_connect_callback": "the identity provider's redirect back: signs in or refuses",
}

# The person each role is seen as (accounts/demo.py), and the anonymous visitor (parents, the
# public). "second_factor" is a leader who gave the password but not yet the code.
ROLE_PEOPLE = {
    "anonymous": None,
    "second_factor": "leader@oakwood.starmat.example",
    "staff": "staff@riverside.starmat.example",
    "teacher": "teacher@northfield.starmat.example",
    "leader": "leader@riverside.starmat.example",
    "head": "head@oakwood.starmat.example",
    "dsl": "dsl@riverside.starmat.example",
    "office": "office@riverside.starmat.example",
    "trust_admin": "admin@starmat.example",
    "trust_hr": "hr@starmat.example",
    "trustee": "trustee@starmat.example",
    "dpo": "dpo@starmat.example",
}


def url_names() -> dict[str, list[str]]:
    """Every URL name of the project with the names of its parameters."""
    found: dict[str, list[str]] = {}

    def walk(patterns, prefix: str, params: list[str]) -> None:
        for p in patterns:
            own = list(getattr(p.pattern, "converters", {}).keys())
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                walk(p.url_patterns, ns, params + own)
            elif isinstance(p, URLPattern) and p.name:
                found.setdefault(prefix + p.name, params + own)

    walk(get_resolver().url_patterns, "", [])
    return {
        name: params
        for name, params in found.items()
        if name not in SKIPPED and not name.startswith(SKIPPED_PREFIXES)
    }


# --- demo objects for URLs with parameters ---------------------------------------------------
# Each returns (school id or None, kwargs) pairs: a role tries those of its schools (trust roles
# and school-less ones: all) until one answers a page. A few per school, in different states,
# so that a page only some states have (a review form, a handover) is found.


def _per_school(qs, *, key: str = "pk", attr: str = "pk", each: int = 1) -> list:
    out, seen = [], {}
    for obj in qs:
        school_id = getattr(obj, "school_id", None)
        if seen.get(school_id, 0) >= each:
            continue
        seen[school_id] = seen.get(school_id, 0) + 1
        out.append((school_id, {key: getattr(obj, attr)}))
    return out


def _accounts(statuses: Iterable[str] | None = None, each: int = 1):
    from channels.models import OfficialAccount

    def build():
        qs = OfficialAccount.objects.order_by("school_id", "pk")
        if statuses:
            qs = qs.filter(status__in=list(statuses))
        return _per_school(qs, each=each)

    return build


def _cases(statuses: Iterable[str] | None = None):
    from breaches.models import BreachCase

    def build():
        qs = BreachCase.objects.order_by("school_id", "created_at")
        if statuses:
            qs = qs.filter(status__in=list(statuses))
        return _per_school(qs, each=3)

    return build


def _model(path: str, each: int = 1, **filters):
    def build():
        from django.apps import apps

        model = apps.get_model(path)
        qs = model.objects.filter(**filters).order_by("pk")
        return _per_school(qs, each=each)

    return build


def _people():
    # A teacher of each school, someone invited, someone who left, a trust person.
    people = []
    for m in Membership.objects.filter(role="teacher").select_related("user").order_by("pk"):
        people.append((m.school_id, {"pk": m.user_id}))
    for user in User.objects.filter(is_active=False).order_by("pk")[:1]:
        people.append((None, {"pk": user.pk}))
    for user in User.objects.filter(password__startswith="!").order_by("pk")[:1]:
        people.append((None, {"pk": user.pk}))
    for tr in TrustRole.objects.order_by("pk")[:1]:
        people.append((None, {"pk": tr.user_id}))
    return people


def _token_for(user: User) -> dict:
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def _invitation():
    invited = User.objects.filter(password__startswith="!", is_active=True).order_by("pk").first()
    return [(None, _token_for(invited))] if invited else []


def _password_reset():
    user = User.objects.filter(email=ROLE_PEOPLE["teacher"]).first()
    return [(None, _token_for(user))] if user else []


def _policies():
    from policies.models import Policy

    qs = Policy.objects.order_by("school_id", "pk")
    # Trust-wide policies have no school: every role tries a few of them.
    return [(p.school_id, {"pk": p.pk}) for p in qs]


def _comment_reports():
    from channels.models import CommentReport

    return _per_school(CommentReport.objects.order_by("pk"), key="report_pk")


def _escrow_person_report():
    from channels.models import OfficialAccount

    qs = OfficialAccount.objects.exclude(owner=None).order_by("school_id", "pk")
    out, seen = [], set()
    for account in qs:
        if account.school_id in seen:
            continue
        seen.add(account.school_id)
        out.append((account.school_id, {"pk": account.owner_id}))
    return out


def _carer_link():
    """A live personal link of the demo's consent round (a fresh secret: the page needs it)."""
    from consents.models import RoundInvite
    from consents.rounds.tokens import link_token, new_secret

    invite = (
        RoundInvite.objects.exclude(carer__email="")
        .filter(answered_at__isnull=True, revoked_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if invite is None:
        return []
    secret, token_hash = new_secret()
    RoundInvite.objects.filter(pk=invite.pk).update(token_hash=token_hash, failed_checks=0)
    return [(None, {"token": link_token(invite.pk, secret)})]


CANDIDATES: dict[str, Callable[[], list[tuple[int | None, dict]]]] = {
    "privacy:sar_detail": _model("privacy.SubjectAccessRequest"),
    "privacy:rights_detail": _model("privacy.RightsRequest"),
    "accounts:password_reset_confirm": _password_reset,
    "accounts:invite_accept": _invitation,
    "accounts:school_detail": lambda: [(s.pk, {"pk": s.pk}) for s in School.objects.order_by("pk")],
    "accounts:school_edit": lambda: [(s.pk, {"pk": s.pk}) for s in School.objects.order_by("pk")],
    "accounts:person_detail": _people,
    "accounts:person_deactivate": _people,
    "accounts:person_reactivate": _people,
    "accounts:person_invite_resend": _people,
    "channels:account_detail": _accounts(each=3),
    "channels:account_edit": _accounts(["draft", "changes_requested"]),
    "channels:account_submit": _accounts(["draft", "changes_requested"]),
    "channels:account_approve": _accounts(["submitted"]),
    "channels:account_reject": _accounts(["submitted"]),
    "channels:account_request_changes": _accounts(["submitted"]),
    "channels:account_activate": _accounts(["approved"]),
    "channels:account_suspend": _accounts(["active"]),
    "channels:account_reinstate": _accounts(["suspended"]),
    "channels:account_close": _accounts(["active", "suspended"]),
    "channels:account_review": _accounts(["active"], each=2),
    "channels:account_handover": _accounts(["active", "suspended"], each=3),
    "channels:comment_report_create": _accounts(["active"]),
    "channels:comment_report_detail": _model("channels.CommentReport"),
    "channels:comment_report_close": _model("channels.CommentReport"),
    "channels:fake_report_detail": _model("channels.FakeAccountReport"),
    "channels:fake_report_resolve": _model("channels.FakeAccountReport"),
    "channels:platform_edit": _model("channels.Platform"),
    "channels:followup_resolve": _model("channels.ReviewFollowUp"),
    "channels:concerns_contact_edit": lambda: [
        (s.pk, {"school_pk": s.pk}) for s in School.objects.order_by("pk")
    ],
    "escrow:account": _accounts(["active", "approved", "suspended"], each=2),
    "escrow:deposit": _accounts(["active", "approved", "suspended"], each=2),
    "escrow:retrieve": _accounts(["active", "suspended"], each=2),
    "escrow:check": _accounts(["active"]),
    "escrow:person_report": _escrow_person_report,
    "consents:student_detail": _model("consents.Student"),
    "consents:decision_create": _model("consents.Student"),
    "consents:carer_create": _model("consents.Student"),
    "consents:import_detail": _model("consents.ImportBatch", each=2),
    "consents:import_confirm": _model("consents.ImportBatch"),
    "consents:takedown_done": _model("consents.Takedown"),
    "consents:account_publications": _accounts(["active", "suspended"], each=2),
    "consents:round_detail": _model("consents.ConsentRound"),
    "consents:round_carers": _model("consents.ConsentRound"),
    "consents:round_grid": _model("consents.ConsentRound"),
    "consents:round_letters": _model("consents.ConsentRound"),
    "carer_consent:link": _carer_link,
    "breaches:from_comment_report": _comment_reports,
    "breaches:my_report": _cases(),
    "breaches:case_detail": _cases(),
    "breaches:declaration_acknowledge": _model("breaches.Declaration"),
    "policies:detail": _policies,
    "policies:edit": _policies,
    "policies:review": _policies,
    "policies:adopt": _policies,
    "policies:acknowledge": _policies,
}
# Case actions are POSTs on the case page (a 405 probe classifies them); list them anyway so
# that a case action that grows a page of its own is tried.
for _name in (
    "case_acknowledge",
    "case_investigate",
    "case_note",
    "case_action",
    "case_outcome",
    "case_close",
    "case_assign",
    "case_dispose",
    "case_account_rotation",
    "case_account_review",
):
    CANDIDATES[f"breaches:{_name}"] = _cases()
for _name in ("role_add", "role_remove", "trust_role_add", "trust_role_remove"):
    CANDIDATES[f"accounts:person_{_name}"] = _people


# --- signing in a Django test client as a role ---------------------------------------------


def signed_in_client(role: str) -> tuple[Client, User | None]:
    """A test client signed in as the role's demo person, second factor and step-up given
    (the escrow's retrieve form sits behind a step-up)."""
    client = Client()
    email = ROLE_PEOPLE[role]
    if email is None:
        return client, None
    user = User.objects.get(email=email)
    client.force_login(user)
    if role != "second_factor":
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = client.session
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        from django.utils import timezone

        session[STEP_UP_SESSION_KEY] = timezone.now().timestamp()
        session.save()
    return client, user


def session_cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def school_ids(user: User | None) -> set[int] | None:
    """The schools a person works at; None for trust roles (they see every school)."""
    if user is None:
        return set()
    if TrustRole.objects.filter(user=user).exists():
        return None
    return set(Membership.objects.filter(user=user).values_list("school_id", flat=True))


# --- discovery ------------------------------------------------------------------------------


@dataclass
class Discovery:
    role: str
    pages: dict[str, str] = field(default_factory=dict)  # URL name -> path
    actions: set[str] = field(default_factory=set)  # URL names that answer 405 to a GET
    problems: list[str] = field(default_factory=list)


def _same_page(name: str, location: str) -> bool:
    try:
        match = resolve(location.split("?")[0])
    except Resolver404:
        return False
    return match.view_name == name


def _is_page(response) -> bool:
    if response.status_code != 200:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    body = response.content[:200].lower()
    return b"<!doctype html" in body


def discover(role: str, client: Client, user: User | None, names: dict[str, list[str]]):
    """The pages `role` reaches: URL name -> path."""
    found = Discovery(role=role)
    schools = school_ids(user)
    cache: dict[str, list] = {}
    for name, params in sorted(names.items()):
        if name in NOT_PAGES:
            continue
        if not params:
            paths = [reverse(name)]
        else:
            if name not in CANDIDATES:
                continue  # test_every_parameterised_url_is_known reports it
            if name not in cache:
                cache[name] = CANDIDATES[name]()
            paths = [
                reverse(name, kwargs=kwargs)
                for school_id, kwargs in cache[name]
                if school_id is None or schools is None or school_id in schools
            ]
        for path in paths:
            response = client.get(path)
            if response.status_code == 405:
                found.actions.add(name)
                break  # POST only: an action, not a page
            if response.status_code == 302 and _same_page(name, response["Location"]):
                # Token links (password reset, invitation) move the token into the session
                # and redirect to the same view without it.
                path = response["Location"]
                response = client.get(path)
            if _is_page(response):
                found.pages[name] = path
                break
            if response.status_code >= 500:
                found.problems.append(f"{role}: {path} answered {response.status_code}")
    return found
