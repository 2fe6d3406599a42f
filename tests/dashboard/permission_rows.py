from tests.conftest import PERSONA_NAMES
from tests.permissions import Row

ROWS = [Row("dashboard:home", "anonymous", 302)] + [
    Row("dashboard:home", p, 200) for p in PERSONA_NAMES if p != "anonymous"
]
