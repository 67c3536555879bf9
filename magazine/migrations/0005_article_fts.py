"""SQLite's full-text index of articles (FTS5): site search on the embedded database ranks by
relevance, as on PostgreSQL. Other databases have their own (a stored vector) and skip this.

`python manage.py update_search_index` fills it for articles saved before it existed."""

from django.db import migrations

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS magazine_article_fts USING fts5("
    "title, dek, authors, search_text, tokenize = 'porter unicode61 remove_diacritics 2')"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS magazine_article_fts")


class Migration(migrations.Migration):
    dependencies = [("magazine", "0004_article_body_limit")]

    operations = [migrations.RunPython(create, drop)]
