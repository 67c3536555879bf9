"""The content generation: what moves when anything a reader sees of the site's content changes.

Every cached page and fragment that shows content carries it (`caching.generations`): saving an
article, its authors or tags, a publication, section or issue moves it, and nothing rendered
before the change is served again.
"""

from caching.generations import bump, bump_on_change

CONTENT = "generation:content"


def content_changed():
    """Call after changing content without signals (bulk updates, a rebuilt search index)."""
    bump(CONTENT)


def connect(*models, through=()):
    """Move the content generation whenever one of `models` (or an m2m `through`) changes."""
    bump_on_change(CONTENT, *models, through=through)
