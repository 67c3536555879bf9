"""Caching: what makes pages fast, and never the source of truth.

- `generations`: versions that move when what readers see changes; cached values carry them.
- `batch`: the cache reads a request will make, fetched in one round trip before its view runs.
- `local`: per-process copies of large values, read back only at the versions they were kept at.
- `pages`: one rendering of a page for every visitor who would see the same page.
- `headers`: keeping personal responses out of shared caches.

This package imports nothing of the site's own apps; they register what it needs to know.
The design, and what each mechanism may and may not hold, is in docs/architecture.md.
"""
