"""A reader links their print subscription with the account number and postcode from the
mailing label: access follows the print dates; failures give nothing away; attempts and seats
are limited; the label's own address is told."""

import pytest
from django.core import mail
from django.utils import timezone

from magazine.roles import PUBLISHERS
from paywall.models import Subscription
from print_readers.importing import import_print_subscribers
from print_readers.linking import NO_MATCH
from print_readers.models import PrintLink
from tests.factories import HIDDEN, make_article, make_publication, make_staff, make_user
from tests.print_readers.helpers import csv_file, row

pytestmark = pytest.mark.django_db

URL = "/accounts/print/"


@pytest.fixture
def almanac():
    publication = make_publication(
        name="Homestead Almanac", slug="homestead", print_issues_per_year=4
    )
    import_print_subscribers(
        csv_file(
            row("HA-100234", "05753", email="fern@example.com"),
            row("HA-100987", "05753", status="lapsed"),
        ),
        publication,
    )
    return publication


@pytest.fixture
def reader(client):
    person = make_user("reader@example.com")
    client.force_login(person)
    return person


def link(client, number="HA-100234", postcode="05753", publication="homestead", **extra):
    data = {"publication": publication, "account_number": number, "postcode": postcode}
    return client.post(URL, data, **extra)


def test_the_form_is_on_my_account(client, reader, almanac):
    html = client.get(URL).content.decode()
    assert '<form id="link-print"' in html
    for name in ("publication", "account_number", "postcode"):
        assert f'name="{name}"' in html
    assert 'href="/accounts/print/"' in client.get("/accounts/").content.decode()


def test_linking_opens_the_publication_until_the_print_subscription_ends(client, reader, almanac):
    article = make_article(almanac, access="subscribers")
    assert HIDDEN not in client.get(article.get_absolute_url()).content.decode()
    response = link(client, "ha 0100234", "05753-4411")
    assert response.status_code == 302
    assert HIDDEN in client.get(article.get_absolute_url()).content.decode()
    subscription = Subscription.objects.get(user=reader)
    record = PrintLink.objects.get().record
    assert subscription.source == "print"
    assert timezone.localdate(subscription.ends_at) > record.expires  # through its last day
    assert "until" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("number", "postcode"),
    [("HA-999999", "05753"), ("HA-100234", "05754"), ("HA-100987", "05753")],
    ids=["no such account", "another postcode", "a lapsed record"],
)
def test_every_failure_says_the_same(client, reader, almanac, number, postcode):
    response = link(client, number, postcode)
    assert response.status_code == 400
    assert NO_MATCH in response.content.decode()
    assert not Subscription.objects.filter(user=reader).exists()


def test_attempts_are_limited_per_account(client, reader, almanac):
    codes = [link(client, f"HA-{n}").status_code for n in range(6)]
    assert codes == [400] * 5 + [429]
    assert "Too many attempts" in link(client).content.decode()  # even the right details wait


def test_attempts_are_limited_per_network(client, almanac):
    codes = []
    for n in range(21):
        client.force_login(make_user(f"guesser{n}@example.com"))
        codes.append(link(client, f"HA-{n}", REMOTE_ADDR="203.0.113.5").status_code)
    assert codes[-1] == 429 and set(codes[:-1]) == {400}


def test_a_household_has_two_seats(client, almanac, settings):
    for email in ("fern@example.com", "spouse@example.com"):
        client.force_login(make_user(email))
        assert link(client).status_code == 302
    client.force_login(make_user("stranger@example.com"))
    response = link(client)
    assert response.status_code == 400
    assert "already linked to 2 web accounts" in response.content.decode()
    assert PrintLink.objects.count() == 2


def test_linking_again_is_harmless(client, reader, almanac):
    link(client)
    assert link(client).status_code == 302
    assert PrintLink.objects.count() == 1 and Subscription.objects.filter(user=reader).count() == 1


def test_the_address_on_the_label_is_told_when_another_account_links(client, reader, almanac):
    link(client)
    [message] = [m for m in mail.outbox if m.to == ["fern@example.com"]]
    assert "A web account was linked" in message.subject and "HA100234" in message.body
    mail.outbox.clear()
    client.force_login(make_user("fern@example.com", verified=True))
    link(client)
    assert mail.outbox == []  # the label's own address, verified: nothing to tell


def test_an_unverified_account_with_the_labels_address_does_not_silence_the_notice(client, almanac):
    client.force_login(make_user("fern@example.com"))  # typed in, never confirmed
    link(client)
    assert [m.to for m in mail.outbox] == [["fern@example.com"]]


def test_guesses_at_one_print_account_are_limited_whoever_makes_them(client, almanac):
    codes = []
    for n in range(11):
        client.force_login(make_user(f"guesser{n}@example.com"))
        codes.append(link(client, "HA-100234", f"0{n:04d}", REMOTE_ADDR=f"203.0.{n}.5").status_code)
    assert codes[-1] == 429 and set(codes[:-1]) == {400}


def test_bad_input_is_a_clear_error_not_a_500(client, reader, almanac):
    assert link(client, publication="no-such").status_code == 400
    assert link(client, number="").status_code == 400
    assert link(client, number="x" * 500).status_code == 400
    assert link(client, postcode="\x00").status_code in (400, 429)


def test_the_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_see_and_undo_a_link(client, almanac):
    article = make_article(almanac, access="subscribers")
    member = make_user("reader@example.com")
    client.force_login(member)
    link(client)
    client.force_login(make_staff(PUBLISHERS, "publisher@example.com"))
    changelist = client.get("/admin/print_readers/printlink/").content.decode()
    assert "reader@example.com" in changelist
    pk = PrintLink.objects.get().pk
    client.post("/admin/print_readers/printlink/", {"action": "unlink", "_selected_action": [pk]})
    assert PrintLink.objects.get().ended_at is not None
    client.force_login(member)
    assert HIDDEN not in client.get(article.get_absolute_url()).content.decode()
    response = link(client)
    assert response.status_code == 400 and "unlinked from your account" in response.content.decode()
    client.force_login(make_user("another@example.com"))
    assert link(client).status_code == 302  # the seat is free again
    subscription = Subscription.objects.get(user=member)
    assert subscription.cancelled_at <= subscription.starts_at  # void: no back issues either


def test_a_reader_unlinks_to_free_the_seat_and_may_link_again(client, almanac, settings):
    settings.PRINT_HOUSEHOLD_SEATS = 1
    article = make_article(almanac, access="subscribers")
    member = make_user("reader@example.com")
    client.force_login(member)
    link(client)
    page = client.get(URL).content.decode()
    assert "HA100234" in page and "Unlink" in page
    mine = PrintLink.objects.get()
    assert client.get(f"{URL}{mine.pk}/unlink/").status_code == 405  # a GET changes nothing
    response = client.post(f"{URL}{mine.pk}/unlink/", follow=True)
    assert "its seat is free" in response.content.decode()
    assert HIDDEN not in client.get(article.get_absolute_url()).content.decode()
    client.force_login(make_user("spouse@example.com"))
    assert link(client).status_code == 302  # the one seat is theirs now
    assert client.post(f"{URL}{mine.pk}/unlink/").status_code == 404  # not theirs to end
    theirs = PrintLink.objects.get(user__email="spouse@example.com", ended_at=None)
    client.post(f"{URL}{theirs.pk}/unlink/")
    client.force_login(member)
    assert link(client).status_code == 302  # not barred, as after staff unlink it
    assert HIDDEN in client.get(article.get_absolute_url()).content.decode()


def edition_of(almanac, days_ago):
    """An issue out `days_ago` days ago, with its PDF, and what reading it returns."""
    from datetime import timedelta

    from django.core.files.base import ContentFile

    from tests.factories import make_issue

    issue = make_issue(almanac, cover_date=timezone.localdate() - timedelta(days=days_ago))
    issue.edition.save("upload.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return f"/editions/{issue.edition_key}/"


def unlink_mine(client, user):
    mine = PrintLink.objects.get(user=user, ended_at=None)
    return client.post(f"{URL}{mine.pk}/unlink/")


def test_passing_one_label_round_gives_no_one_the_back_issues(client, almanac, settings):
    """Linked and unlinked in turn, a label gives each account what came out while it was
    linked, not the print subscription's whole term."""
    settings.PRINT_HOUSEHOLD_SEATS = 1
    back_issue = edition_of(almanac, days_ago=50)  # the record started 100 days ago
    almanac.back_issues_for_subscribers = False
    almanac.save()
    for email in ("one@example.com", "two@example.com", "three@example.com"):
        someone = make_user(email)
        client.force_login(someone)
        assert link(client).status_code == 302
        assert client.get(back_issue).status_code == 200  # linked: the print term's issues
        unlink_mine(client, someone)
        assert client.get(back_issue).status_code == 302  # left: not theirs to keep


def test_unlinking_after_a_cancelling_import_opens_nothing_new(client, reader, almanac):
    from datetime import timedelta

    import time_machine

    link(client)
    import_print_subscribers(
        csv_file(row("HA-100234", "05753", email="fern@example.com", status="cancelled")),
        almanac,
    )
    later_issue = edition_of(almanac, days_ago=-10)  # out ten days after the cancellation
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        client.force_login(reader)
        assert client.get(later_issue).status_code == 302
        unlink_mine(client, reader)
        assert client.get(later_issue).status_code == 302  # the cancellation stays where it was


def test_a_second_unlink_changes_nothing(client, almanac):
    member = make_user("reader@example.com")
    client.force_login(member)
    link(client)
    mine = PrintLink.objects.get()
    client.force_login(make_staff(PUBLISHERS, "publisher@example.com"))
    client.post(
        "/admin/print_readers/printlink/", {"action": "unlink", "_selected_action": [mine.pk]}
    )
    from print_readers import linking

    linking.leave(mine, timezone.now())  # the reader's page, opened before staff acted
    mine.refresh_from_db()
    assert mine.ended_by_staff  # still barred from linking again, back issues still void
    subscription = Subscription.objects.get(user=member)
    assert subscription.cancelled_at <= subscription.starts_at
