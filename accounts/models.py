"""Trust, schools, people and the roles they hold (POLICY-MAP.md, "Who uses it")."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .roles import SCHOOL_PERMISSION_CHOICES, SchoolRole, TrustRoleKind


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in by email: staff member (2.1), leader, trustee..."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    # Django admin access: trust administrators only (kept in step by role services).
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Set by accounts.services.user_invite; the password stays unusable until the person
    # follows the one-time link (accounts:invite_accept).
    invited_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised in the same transaction as any change to the person's roles, permissions or
    # second-factor devices (accounts.access_state): what a session remembers of them is
    # used only while it was read at the current version.
    access_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Trust(models.Model):
    """The multi-academy trust: one per installation in practice, modelled for clarity."""

    name = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A member school of the trust. Every school-owned record points here."""

    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        SIXTH_FORM = "sixth_form", "16 plus"
        ALTERNATIVE = "alternative", "Alternative provision"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    urn = models.CharField("URN", max_length=10, unique=True, help_text="Unique Reference Number")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    age_from = models.PositiveSmallIntegerField()
    age_to = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["name"]
        permissions = SCHOOL_PERMISSION_CHOICES
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_from__lte=models.F("age_to")), name="school_age_range"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SchoolEmailDomain(models.Model):
    """An email domain the school owns (4.5a: official accounts use an official address)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class Membership(models.Model):
    """A role a person holds at one school. One person may hold several, at several schools."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=SchoolRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="membership_unique"),
            # A school has one headteacher at a time (7.3 reports go to them).
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(role=SchoolRole.HEADTEACHER),
                name="one_headteacher_per_school",
            ),
        ]
        indexes = [models.Index(fields=["school", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.school}"


class TrustRole(models.Model):
    """A trust-wide role: trust administrator, trust HR / executive, trustee."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="trust_roles")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=TrustRoleKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "trust", "role"], name="trust_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


# django-guardian with direct foreign keys: per-school grants join on an integer column, so
# "records of the schools where I may X" is one indexed subquery (see selectors).
class SchoolUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(School, on_delete=models.CASCADE)


class SchoolGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(School, on_delete=models.CASCADE)


class PortalSession(AbstractBaseSession):
    """A database session that knows whose it is (issue: deactivating a leaver ends all their
    sessions at once).

    Django's own session table stores the user id only inside the encoded data, so finding one
    person's sessions would mean decoding every row. The session store
    (accounts.sessions.SessionStore) writes `user` on every save, including when the key is
    cycled at sign-in or step-up, so the column never goes stale.
    """

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        # The engine in the settings (accounts.sessions), found as Django's middleware finds
        # it: the model does not import its store, which imports the model.
        return import_module(settings.SESSION_ENGINE).SessionStore


class LeaverEvent(models.Model):
    """A person left (deactivated by a trust administrator): the durable row later features
    act on (account handover 4.5(c), credential rotation), kept after the account is gone."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="leaver_events")
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied so the record reads the same if the administrator's account is later removed.
    actor_name = models.CharField(max_length=150, blank=True)
    reason = models.TextField()
    # Schools where the person held a role when they left (ids; the memberships stay too).
    school_ids = models.JSONField(default=list, blank=True)
    sessions_ended = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} left on {self.created_at:%d %b %Y}"


# Models of the single sign-on and provisioning packages (issue 20) belong to this app.
from .scim.models import Directory, DirectoryAccount  # noqa: E402, F401
from .sso.models import SSOFactorDevice  # noqa: E402, F401
