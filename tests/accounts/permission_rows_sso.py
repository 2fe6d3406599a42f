"""Permission rows for single sign-on and SCIM provisioning (issue 20).

Sign-in pages are for everyone. SCIM answers only a directory's bearer token: a signed-in
person, however senior, gets 401 (tests/accounts/test_scim.py covers the token side).
"""

from tests.permissions import Row

_PROVIDER = {"provider_id": "not-configured"}

ROWS = [
    # The provider buttons post here; no provider is configured in the test settings.
    Row("accounts:sso_start", "anonymous", 404, method="post", kwargs=lambda w: _PROVIDER),
    Row("accounts:sso_start", "anonymous", 405, kwargs=lambda w: _PROVIDER, note="POST only"),
    Row("accounts:sso_start", "teacher_a", 404, method="post", kwargs=lambda w: _PROVIDER),
    # allauth's callback for an unknown provider: not found.
    Row("openid_connect_callback", "anonymous", 404, kwargs=lambda w: _PROVIDER),
    # Emergency sign-in exists only while password sign-in is off.
    Row("accounts:emergency_sign_in", "anonymous", 404, note="password sign-in is on"),
    Row("accounts:emergency_sign_in", "trust_admin", 404, note="password sign-in is on"),
    # SCIM: no bearer token, no answer; a session is not a token.
    Row("scim:root", "anonymous", 401),
    Row("scim:users", "anonymous", 401),
    Row("scim:users", "trust_admin", 401, note="a person's session is not a directory token"),
    Row("scim:users", "anonymous", 401, method="post", data=lambda w: {}),
    Row("scim:users-search", "anonymous", 401, method="post", data=lambda w: {}),
    Row("scim:groups", "anonymous", 401),
    Row("scim:service-provider-config", "anonymous", 401),
    Row("scim:resource-types", "anonymous", 401),
    Row("scim:schemas", "anonymous", 401),
    Row("scim:schemas", "leader_a", 401),
]
