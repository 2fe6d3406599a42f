"""Events of breach handling that later apps react to (docs/architecture.md, "Plug points").

Sent inside the service's transaction, so a receiver's writes roll back with the case; a
receiver holds wiring only, its rules live in its app's services.

- `case_reported(sender=BreachCase, case)`: a report was made (the credential escrow requires
  a new password for a named account, 5.19).
- `case_action_recorded(sender=BreachCase, case, action, actor)`: a handler recorded an action
  (the escrow requires new login details after "credentials rotated").
"""

from django.dispatch import Signal

case_reported = Signal()
case_action_recorded = Signal()
