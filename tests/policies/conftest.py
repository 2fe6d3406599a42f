import pytest

from .browser_steps import seed_social_media_policy


@pytest.fixture(autouse=True)
def social_media_policy_installed(db):
    """What a fresh installation has (migration 0002). Re-seeded for each test because a
    transactional (browser) test earlier in the run empties every table, migration data too."""
    seed_social_media_policy()
