"""Gift links now belong to the paywall app (see paywall's 0002_giftlink): only the state moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("paywall", "0002_giftlink"),
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="GiftLink")],
            database_operations=[],
        ),
    ]
