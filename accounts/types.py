"""Types the apps' selectors and services share in their signatures."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from .models import User

# Whoever is asking: a signed-in person, or the anonymous user of a request (selectors answer
# "nothing" for the latter).
Viewer = User | AnonymousUser
