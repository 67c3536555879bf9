import io

import pytest
from django.core.management import call_command

from magazine.models import Article, Publication

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_reader_goes_from_the_front_page_to_a_publication_to_an_article(demo, page, site):
    publication = Publication.objects.get(slug="homestead")
    article = Article.objects.published().filter(publication=publication, access="free").first()

    page.goto(site + "/")
    assert page.locator("h1").inner_text() == "The Magazine Rack"
    page.get_by_role("navigation", name="Publications").get_by_role(
        "link", name=publication.name
    ).click()
    page.wait_for_url(f"**/{publication.slug}/")
    assert page.locator(".masthead-name").inner_text() == publication.name

    page.get_by_role("link", name=article.title).first.click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert page.locator("article h1").inner_text() == article.title
    assert page.locator(".article-body p").count() > 3
    lead = page.locator(".lead-image img")
    assert lead.get_attribute("alt") == article.lead_image_alt
    assert lead.evaluate("img => img.naturalWidth") > 0
