import uuid

from django.db import migrations, models

import magazine.models


def give_each_issue_a_key(apps, schema_editor):
    Issue = apps.get_model("magazine", "Issue")
    for issue in Issue.objects.filter(edition_key__isnull=True):
        issue.edition_key = uuid.uuid4()
        issue.save(update_fields=["edition_key"])


class Migration(migrations.Migration):
    dependencies = [("magazine", "0008_sampling_allowances")]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="back_issues_for_subscribers",
            field=models.BooleanField(
                default=True,
                help_text="Current subscribers may read the digital editions of issues from "
                "before their subscription began (off: only the issues they subscribed for).",
                verbose_name="back issues for subscribers",
            ),
        ),
        migrations.AddField(
            model_name="issue",
            name="edition",
            field=models.FileField(
                blank=True,
                help_text="The printed edition as a PDF. Kept outside the public media folder and "
                "served only to readers entitled to it.",
                storage=magazine.models.editions_storage,
                upload_to=magazine.models.edition_path,
                validators=[magazine.models.validate_pdf],
                verbose_name="digital edition (PDF)",
            ),
        ),
        migrations.AddField(
            model_name="issue",
            name="edition_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_issue_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="issue",
            name="edition_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
