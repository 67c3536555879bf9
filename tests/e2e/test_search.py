import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_reader_searches_from_the_header_and_narrows_to_a_publication(demo, page, site):
    page.goto(site + "/")
    search = page.get_by_role("search", name="Site search")
    search.get_by_label("Search articles").fill("goats")
    search.get_by_label("Search articles").press("Enter")
    page.wait_for_url("**/search/?q=goats")
    assert "results for “goats”" in page.locator("#results-heading").inner_text().lower()
    assert page.locator(".search-snippet mark").count() > 0

    page.get_by_label("Publication", exact=True).select_option(label="Homestead Almanac")
    page.get_by_role("search", name="Search articles").get_by_role("button").click()
    page.wait_for_url("**publication=homestead**")
    assert page.get_by_label("Section").is_visible()
    kickers = page.locator(".search-hit .kicker").all_inner_texts()
    assert kickers
    assert all(k.upper().startswith("HOMESTEAD ALMANAC") for k in kickers)
