"""Gift links move here from the sharing app: a gift is an entitlement, like a subscription.

The rows stay as they are: the model is adopted (state only), then its table and index are
renamed. The content type moves with it, so the permissions staff groups hold on gift links are
kept. Links given before the move keep working (their tokens are signed with the old salt).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def adopt_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="paywall", model="giftlink").exists():
        ContentType.objects.filter(app_label="sharing", model="giftlink").update(
            app_label="paywall"
        )


def return_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="sharing", model="giftlink").exists():
        ContentType.objects.filter(app_label="paywall", model="giftlink").update(
            app_label="sharing"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("magazine", "0001_initial"),
        ("paywall", "0001_initial"),
        ("sharing", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GiftLink",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("giver_name", models.CharField(help_text="The name the giver signed the email with, shown with the gift.", max_length=80)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="given")),
                        ("expires_at", models.DateTimeField(verbose_name="expires")),
                        ("revoked_at", models.DateTimeField(blank=True, help_text="The link stops working from this time.", null=True, verbose_name="revoked")),
                        ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="gift_links", to="magazine.article")),
                        ("giver", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="gift_links", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "ordering": ["-created_at"],
                        "db_table": "sharing_giftlink",
                        "indexes": [models.Index(fields=["giver", "created_at"], name="sharing_gif_giver_i_adab13_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="giftlink", table=None),
        migrations.RenameIndex(
            model_name="giftlink",
            new_name="paywall_gif_giver_i_6616ed_idx",
            old_name="sharing_gif_giver_i_adab13_idx",
        ),
        migrations.RunPython(adopt_content_type, return_content_type),
    ]
