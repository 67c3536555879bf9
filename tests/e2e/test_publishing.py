import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from magazine.roles import EDITORS
from tests.factories import make_author, make_section, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_writes_and_publishes_an_article_that_appears_on_the_publication(page, site):
    section = make_section(name="Garden")
    publication = section.publication
    make_author(name="Ada Hayward")
    editor = make_user("editor@example.com", password="a-strong-passphrase", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))

    page.goto(site + "/admin/")
    page.get_by_label("Email address").fill("editor@example.com")
    page.get_by_label("Password").fill("a-strong-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Articles").first.click()
    page.get_by_role("link", name="Add article").click()

    page.locator("#id_publication").select_option(label=publication.name)
    page.locator("#id_section").select_option(label=str(section))
    page.locator("#id_title").press_sequentially("Mulch Before the Frost")
    assert page.locator("#id_slug").input_value() == "mulch-before-the-frost"
    page.locator("#id_dek").fill("Why bare soil is the enemy in November.")
    page.locator("#id_body").fill(
        "First paragraph.\n\nSecond paragraph.\n\n<!-- more -->\n\nThird."
    )
    page.locator("#id_access").select_option("free")
    page.locator("#id_status").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    page.goto(site + publication.get_absolute_url())
    page.get_by_role("link", name="Mulch Before the Frost").first.click()
    assert page.locator("article h1").inner_text() == "Mulch Before the Frost"
    assert "Third." in page.locator(".article-body").inner_text()
