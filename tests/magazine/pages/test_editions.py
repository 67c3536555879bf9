"""Digital editions: the printed issue as a PDF, served only to readers entitled to it, on every
request, with no public address anywhere."""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from magazine.now import start_of_day
from magazine.roles import EDITORS
from print_readers import linking
from print_readers.importing import import_print_subscribers
from tests.factories import make_issue, make_publication, make_staff, make_user, subscribe
from tests.print_readers.helpers import csv_file, row

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the printed pages\n%%EOF\n"


@pytest.fixture
def almanac():
    return make_publication(name="Homestead Almanac", slug="homestead", print_issues_per_year=4)


def with_edition(issue):
    issue.edition.save("vol-12-no-3.pdf", ContentFile(PDF))
    return issue


@pytest.fixture
def summer(almanac):
    """The issue of 1 June this year, with its PDF."""
    cover = date(timezone.localdate().year, 6, 1)
    return with_edition(make_issue(almanac, volume=12, number=3, cover_date=cover))


def url(issue):
    return f"/editions/{issue.edition_key}/"


def subscribed(user, publication, starts, ends):
    """A subscription from the day `starts` to the day `ends`."""
    subscribe(user, publication, starts_at=start_of_day(starts), ends_at=start_of_day(ends))


def test_a_subscriber_on_the_cover_date_reads_it_inline_and_private(client, almanac, summer):
    reader = make_user("reader@example.com")
    subscribed(
        reader,
        almanac,
        summer.cover_date - timedelta(days=30),
        summer.cover_date + timedelta(days=400),
    )
    client.force_login(reader)
    response = client.get(url(summer))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="homestead-vol-12-no-3.pdf"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_without_entitlement_no_bytes_but_the_way_in(client, almanac, summer):
    response = client.get(url(summer))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(make_user("reader@example.com"))
    response = client.get(url(summer))
    assert response.status_code == 302 and "subscribe" in response["Location"]
    assert b"%PDF" not in response.content


def test_a_lapsed_subscriber_keeps_the_issues_they_subscribed_for_and_no_later(
    client, almanac, summer
):
    later = with_edition(
        make_issue(almanac, volume=12, number=4, cover_date=summer.cover_date + timedelta(days=90))
    )
    reader = make_user("reader@example.com")
    subscribed(
        reader,
        almanac,
        summer.cover_date - timedelta(days=300),
        summer.cover_date + timedelta(days=10),
    )
    client.force_login(reader)
    assert client.get(url(summer)).status_code == 200
    assert client.get(url(later)).status_code == 302


def test_back_issues_from_before_a_subscription_follow_the_publications_choice(
    client, almanac, summer
):
    reader = make_user("reader@example.com")
    subscribe(reader, almanac)  # from now: after the summer issue, if it is past
    if summer.cover_date >= timezone.localdate():
        summer.cover_date = summer.cover_date.replace(year=summer.cover_date.year - 1)
        summer.save()
    client.force_login(reader)
    assert client.get(url(summer)).status_code == 200
    almanac.back_issues_for_subscribers = False
    almanac.save()
    assert client.get(url(summer)).status_code == 302


def test_a_print_linked_reader_and_staff_read_it(client, almanac, summer):
    import_print_subscribers(
        csv_file(row("HA-100234", starts=summer.cover_date - timedelta(days=10))), almanac
    )
    reader = make_user("fern@example.com")
    linking.link(reader, almanac, "HA-100234", "05753")
    client.force_login(reader)
    assert client.get(url(summer)).status_code == 200
    client.force_login(make_user("editor@example.com", is_staff=True))
    assert client.get(url(summer)).status_code == 200


def test_guessed_addresses_find_nothing(client, almanac, summer):
    client.force_login(make_user("editor@example.com", is_staff=True))
    assert client.get(f"/editions/{summer.pk}/").status_code == 404
    assert client.get(f"/editions/{uuid.uuid4()}/").status_code == 404
    bare = make_issue(
        almanac, volume=12, number=5, cover_date=summer.cover_date + timedelta(days=180)
    )
    assert client.get(url(bare)).status_code == 404  # no edition uploaded


def test_the_issue_page_offers_it_to_the_entitled_and_no_page_holds_the_files_address(
    client, almanac, summer, settings
):
    page = "/homestead/issues/12-3/"
    html = client.get(page).content.decode()
    assert url(summer) not in html and "Subscribers read this issue as it was printed" in html
    reader = make_user("reader@example.com")
    subscribed(
        reader,
        almanac,
        summer.cover_date - timedelta(days=1),
        summer.cover_date + timedelta(days=400),
    )
    client.force_login(reader)
    html = client.get(page).content.decode()
    assert f'href="{url(summer)}"' in html and "Read this issue" in html
    client.force_login(make_user("editor@example.com", is_staff=True, is_superuser=True))
    admin = client.get(f"/admin/magazine/issue/{summer.pk}/change/").content.decode()
    for text in (html, admin):
        assert summer.edition.name not in text
        assert str(settings.EDITIONS_ROOT) not in text and "/media/editions" not in text


def test_behind_nginx_or_apache_the_front_server_sends_the_file(client, almanac, summer, settings):
    client.force_login(make_user("editor@example.com", is_staff=True))
    settings.EDITIONS_SERVED_BY = "nginx"
    response = client.get(url(summer))
    assert response["X-Accel-Redirect"] == f"/protected-editions/{summer.edition.name}"
    assert response.content == b"" and response["Content-Type"] == "application/pdf"
    settings.EDITIONS_SERVED_BY = "apache"
    response = client.get(url(summer))
    assert response["X-Sendfile"] == summer.edition.path and response.content == b""


def test_the_file_is_outside_the_public_media_folder(summer, settings):
    assert not summer.edition.path.startswith(str(settings.MEDIA_ROOT))
    assert summer.edition.url is None


def test_an_issue_not_out_yet_is_not_read_early(client, almanac):
    ahead = with_edition(
        make_issue(
            almanac, volume=13, number=1, cover_date=timezone.localdate() + timedelta(days=20)
        )
    )
    reader = make_user("reader@example.com")
    subscribed(
        reader,
        almanac,
        timezone.localdate() - timedelta(days=10),
        timezone.localdate() + timedelta(days=400),
    )
    client.force_login(reader)
    assert client.get(url(ahead)).status_code == 302
    client.force_login(make_user("editor@example.com", is_staff=True))
    assert client.get(url(ahead)).status_code == 200


def test_the_file_is_named_for_its_key_not_its_upload(summer):
    assert summer.edition.name == f"editions/{summer.edition_key}.pdf"


def test_a_reader_turning_back_to_an_edition_costs_no_query(
    client, almanac, summer, django_assert_num_queries
):
    reader = make_user("reader@example.com")
    subscribed(reader, almanac, summer.cover_date, summer.cover_date + timedelta(days=400))
    client.force_login(reader)
    assert client.get(url(summer)).status_code == 200
    with django_assert_num_queries(0):  # the session, the reader and the issue all cached
        response = client.get(url(summer))
    assert b"".join(response.streaming_content) == PDF
    summer.edition.delete()  # the issue saved without it: the cached issue is not used again
    assert client.get(url(summer)).status_code == 404


def test_editors_choose_whether_subscribers_read_back_issues(client, almanac):
    client.force_login(make_staff(EDITORS, "editor@example.com"))
    page = client.get(f"/admin/magazine/publication/{almanac.pk}/change/").content.decode()
    assert re.search(r'name="back_issues_for_subscribers"[^>]* checked>', page)
