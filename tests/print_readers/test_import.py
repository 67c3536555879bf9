"""Importing the fulfilment house's file: an upsert by account number that says what changed,
and web access that follows each record — ended at once, in every process, when it lapses."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from paywall.access import can_read
from paywall.readers import reader_for_user
from print_readers import linking
from print_readers.importing import ImportFileError, import_print_subscribers
from print_readers.models import PrintSubscriber
from tests.factories import make_article, make_publication, make_staff, make_user
from tests.print_readers.helpers import a_year_on, csv_file, row, yesterday

pytestmark = pytest.mark.django_db


@pytest.fixture
def almanac():
    return make_publication(name="Homestead Almanac", slug="homestead", print_issues_per_year=4)


def test_a_first_import_creates_the_records_normalised(almanac):
    report = import_print_subscribers(
        csv_file(row("ha-0100234", "05753-1234"), row("HA-100987", status="lapsed")), almanac
    )
    assert report.outcomes["new"] == 2 and not report.errors
    record = PrintSubscriber.objects.get(account_number="HA100234")
    assert record.postcode == "05753" and record.status == "active"


def test_importing_the_same_file_again_changes_nothing(almanac):
    lines = row("HA-100234") + row("HA-100987", status="lapsed")
    import_print_subscribers(csv_file(lines), almanac)
    report = import_print_subscribers(csv_file(lines), almanac)
    assert report.outcomes == {"unchanged": 2}
    assert PrintSubscriber.objects.count() == 2


def test_the_summary_says_renewed_lapsed_updated_and_bad_rows_by_number(almanac):
    import_print_subscribers(
        csv_file(row("A-1"), row("A-2"), row("A-3"), row("A-4", status="lapsed")), almanac
    )
    report = import_print_subscribers(
        csv_file(
            row("A-1", expires=a_year_on() + timedelta(days=90)),  # renewed
            row("A-2", status="cancelled"),  # lapsed
            row("A-3", name="Fern Renamed"),  # updated
            row("A-4", status="active"),  # renewed after lapsing
            "A-5,05753,No Dates,,soon,later,active\n",
            "A-6,05753,Bad Status,,2026-01-01,2027-01-01,paused\n",
            "A-7,05753,Bad Mail,not-an-address,2026-01-01,2027-01-01,active\n",
            "A-8,05753\n",
            row("A-1"),  # the same account twice
        ),
        almanac,
    )
    assert report.outcomes == {"renewed": 2, "lapsed": 1, "updated": 1}
    assert [number for number, _ in report.errors] == [6, 7, 8, 9, 10]
    reasons = dict(report.errors)
    assert "starts “soon” is not a date" in reasons[6]
    assert "twice" in reasons[10]
    assert report.summary() == "0 new, 2 renewed, 1 lapsed, 1 updated, 0 unchanged, 5 bad rows"


def test_a_file_without_the_header_is_refused_whole(almanac):
    with pytest.raises(ImportFileError):
        import_print_subscribers(StringIO("account,zip\nHA-1,05753\n"), almanac)


def test_the_command_prints_the_summary_and_the_bad_rows(almanac, tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(csv_file(row("HA-1"), "HA-2,05753\n").getvalue(), encoding="utf-8")
    out = StringIO()
    call_command("import_print_subscribers", str(path), "--publication", "homestead", stdout=out)
    assert "1 new" in out.getvalue() and "row 3: expected 7 columns" in out.getvalue()
    with pytest.raises(CommandError, match="No publication"):
        call_command("import_print_subscribers", str(path), "--publication", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_print_subscribers", str(tmp_path / "gone.csv"), "--publication",
                     "homestead")  # fmt: skip


def test_a_lapsing_import_ends_the_linked_access_at_once(almanac):
    article = make_article(almanac, access="subscribers")
    import_print_subscribers(csv_file(row("HA-100234")), almanac)
    reader = make_user("fern@example.com")
    linking.link(reader, almanac, "HA-100234", "05753")
    now = timezone.now()
    assert can_read(reader_for_user(reader), article, now=now)  # cached from here on
    import_print_subscribers(csv_file(row("HA-100234", status="lapsed")), almanac)
    assert not can_read(reader_for_user(reader), article, now=timezone.now())
    import_print_subscribers(csv_file(row("HA-100234", expires=a_year_on())), almanac)
    assert can_read(reader_for_user(reader), article, now=timezone.now())


def test_a_renewal_moves_the_linked_access_to_the_new_date(almanac):
    import_print_subscribers(csv_file(row("HA-100234")), almanac)
    reader = make_user("fern@example.com")
    link = linking.link(reader, almanac, "HA-100234", "05753")
    later = a_year_on() + timedelta(days=200)
    import_print_subscribers(csv_file(row("HA-100234", expires=later)), almanac)
    link.subscription.refresh_from_db()
    assert timezone.localdate(link.subscription.ends_at) == later + timedelta(days=1)


def test_an_expiry_date_in_the_past_ends_access_even_when_marked_active(almanac):
    import_print_subscribers(csv_file(row("HA-100234")), almanac)
    link = linking.link(make_user("fern@example.com"), almanac, "HA-100234", "05753")
    report = import_print_subscribers(
        csv_file(row("HA-100234", expires=yesterday(), starts=yesterday() - timedelta(days=300))),
        almanac,
    )
    assert report.outcomes == {"lapsed": 1}
    link.subscription.refresh_from_db()
    assert link.subscription.cancelled_at is not None


def test_staff_upload_the_file_in_the_admin(client, almanac):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from magazine.roles import PUBLISHERS

    client.force_login(make_staff(PUBLISHERS, "publisher@example.com"))
    changelist = client.get("/admin/print_readers/printsubscriber/").content.decode()
    assert "/admin/print_readers/printsubscriber/import/" in changelist
    assert "/admin/print_readers/printsubscriber/add/" not in changelist  # records come by file
    assert client.get("/admin/print_readers/printsubscriber/add/").status_code == 403
    upload = SimpleUploadedFile(
        "labels.csv", csv_file(row("HA-1"), "HA-2,oops\n").getvalue().encode("utf-8")
    )
    response = client.post(
        "/admin/print_readers/printsubscriber/import/",
        {"publication": almanac.pk, "file": upload},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "1 new" in html and "Row 3: expected 7 columns" in html
    assert PrintSubscriber.objects.filter(account_number="HA1").exists()
    wrong = SimpleUploadedFile("x.csv", b"email,name\n")
    response = client.post(
        "/admin/print_readers/printsubscriber/import/", {"publication": almanac.pk, "file": wrong}
    )
    assert "The first row must be the header" in response.content.decode()


def test_unreadable_files_and_out_of_range_values_are_clear_errors(almanac):
    with pytest.raises(ImportFileError, match="cannot be read as CSV"):
        import_print_subscribers(csv_file('HA-1,05753,"unclosed\n'), almanac)
    assert not PrintSubscriber.objects.exists()  # nothing written from a file it could not read
    report = import_print_subscribers(
        csv_file(
            "HA-1,05753,Forever,,2020-01-01,9999-12-31,active\n",
            f"HA-2,05753,Long,{'x' * 250}@example.com,2020-01-01,2030-01-01,active\n",
        ),
        almanac,
    )
    reasons = [reason for _, reason in report.errors]
    assert "out of range" in reasons[0] and "too long" in reasons[1]


def test_an_unchanged_row_past_its_expiry_ends_the_grace_at_once(almanac):
    from django.utils import timezone as tz

    import_print_subscribers(csv_file(row("HA-100234")), almanac)
    link = linking.link(make_user("fern@example.com"), almanac, "HA-100234", "05753")
    PrintSubscriber.objects.update(expires=yesterday(), starts=yesterday() - timedelta(days=300))
    lines = row("HA-100234", expires=yesterday(), starts=yesterday() - timedelta(days=300))
    assert import_print_subscribers(csv_file(lines), almanac).outcomes == {"unchanged": 1}
    link.subscription.refresh_from_db()
    assert link.subscription.cancelled_at is not None and link.subscription.cancelled_at <= tz.now()


def test_a_renewal_starting_later_keeps_the_reader_reading(almanac):
    import_print_subscribers(csv_file(row("HA-100234")), almanac)
    link = linking.link(make_user("fern@example.com"), almanac, "HA-100234", "05753")
    later = timezone.localdate() + timedelta(days=30)
    report = import_print_subscribers(
        csv_file(row("HA-100234", starts=later, expires=later + timedelta(days=365))), almanac
    )
    assert report.outcomes == {"renewed": 1}
    link.subscription.refresh_from_db()
    assert link.subscription.cancelled_at is None


def test_two_imports_making_the_same_new_record_at_once_do_not_fail(almanac, monkeypatch):
    made = PrintSubscriber.objects.create
    raced = []

    def the_other_import_first(**values):
        if not raced:
            raced.append(True)
            made(**values)  # the other import's row, committed a moment before this one's
        return made(**values)

    monkeypatch.setattr(PrintSubscriber.objects, "create", the_other_import_first)
    report = import_print_subscribers(csv_file(row("HA-100234", "05753")), almanac)
    assert not report.errors and PrintSubscriber.objects.count() == 1
