"""SCIM 2.0 provisioning from the trust's directory (Entra ID, Google Workspace): issue 20.

django-scim2 serves the protocol (routing, filters, PATCH operations, errors); this package
plugs in the portal's rules:

- `models.py`: `Directory` (one SCIM client, its bearer token stored as a SHA-256 digest) and
  `DirectoryAccount` (one provisioned person of one directory: the SCIM resource).
- `auth.py`: the bearer-token check django-scim2 calls before every view.
- `adapter.py`: SCIM User <-> DirectoryAccount + accounts.User, tolerant of Entra ID's
  request shapes (`"op": "Replace"`, `"value": "False"`).
- `services.py`: every state change (`directory_create`, `directory_token_rotate`,
  `scim_user_provision`, `scim_user_update`, `scim_user_deactivate`), each audited. A
  deactivation runs accounts.services.user_deactivate, the portal's own leaver service.
- `filters.py`, `urls.py`: the Users endpoint, scoped to the calling directory.
"""
