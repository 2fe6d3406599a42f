"""Seed the platform catalogue with the common services and their provider terms (4.3).

Minimum ages are those in each provider's terms at the time of writing; trust administrators
keep them up to date in the portal.
"""

from django.db import migrations

PLATFORMS = [
    # name, minimum age, terms URL, DMs can be turned off, comments can be limited
    ("Facebook", 13, "https://www.facebook.com/terms", False, True),
    ("Instagram", 13, "https://help.instagram.com/581066165581870", False, True),
    ("X (Twitter)", 13, "https://x.com/en/tos", True, True),
    ("YouTube", 13, "https://www.youtube.com/t/terms", True, True),
    ("TikTok", 13, "https://www.tiktok.com/legal/page/eea/terms-of-service/en", True, True),
    ("LinkedIn", 16, "https://www.linkedin.com/legal/user-agreement", False, True),
    ("Threads", 13, "https://help.instagram.com/769983657850450", False, True),
    ("Bluesky", 13, "https://bsky.social/about/support/tos", True, True),
    ("WordPress.com (blog)", 13, "https://wordpress.com/tos/", True, True),
    ("Spotify for Creators (podcast)", 18, "https://creators.spotify.com/terms", True, True),
]


def seed(apps, schema_editor):
    Platform = apps.get_model("channels", "Platform")
    for name, min_age, terms, dms, comments in PLATFORMS:
        Platform.objects.get_or_create(
            name=name,
            defaults={
                "min_age": min_age,
                "terms_url": terms,
                "dms_can_be_disabled": dms,
                "comments_can_be_limited": comments,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
