"""Stamped editions (`EDITIONS_STAMPED`): each reader is sent their own copy, every page saying
whom it was licensed to and when, made once and kept."""

import os
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.base import ContentFile
from pypdf import PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.pdfgen import canvas

from magazine.now import start_of_day
from magazine.stamping import licence
from tests.factories import make_issue, make_publication, make_user, subscribe

pytestmark = pytest.mark.django_db

# 09:30 on 3 December in the site's time zone (Auckland), still 2 December in UTC.
MADE = datetime(2026, 12, 2, 20, 30, tzinfo=UTC)
LINE = "Licensed to reader@example.com on 3 December 2026"


def printed_pages(count=3):
    """A PDF of `count` pages: A4, A4 landscape, then A5 shown turned (`/Rotate 90`) and cut
    from a box that does not start at the origin."""
    sizes = [A4, landscape(A4), A5][:count]
    output = BytesIO()
    drawing = canvas.Canvas(output)
    for number, size in enumerate(sizes, start=1):
        drawing.setPageSize(size)
        drawing.drawString(72, size[1] - 72, f"Page {number} of the printed issue")
        drawing.showPage()
    drawing.save()
    writer = PdfWriter(clone_from=PdfReader(output))
    if count >= 3:
        writer.pages[2].rotate(90)
        writer.pages[2].mediabox.lower_left = (20, 30)
    return as_bytes(writer)


def as_bytes(writer):
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


@pytest.fixture
def stamping(settings):
    settings.EDITIONS_STAMPED = True
    settings.TIME_ZONE = "Pacific/Auckland"
    with time_machine.travel(MADE, tick=False):
        yield


@pytest.fixture
def almanac():
    return make_publication(name="Homestead Almanac", slug="homestead", print_issues_per_year=4)


@pytest.fixture
def summer(almanac):
    issue = make_issue(almanac, volume=12, number=3, cover_date=date(2026, 6, 1))
    issue.edition.save("vol-12-no-3.pdf", ContentFile(printed_pages()))
    return issue


def subscriber(almanac, email="reader@example.com"):
    reader = make_user(email)
    subscribe(
        reader,
        almanac,
        starts_at=start_of_day(date(2026, 5, 1)),
        ends_at=start_of_day(date(2027, 7, 1)),
    )
    return reader


@pytest.fixture
def reader(almanac):
    return subscriber(almanac)


def url(issue):
    return f"/editions/{issue.edition_key}/"


def served(client, issue):
    response = client.get(url(issue))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def copies(settings, issue):
    """The stamped copies kept of `issue`, by name (under its folder of stamped copies)."""
    folder = settings.EDITIONS_ROOT / "stamped" / str(issue.edition_key)
    return sorted(str(path.relative_to(folder)) for path in folder.glob("**/*.pdf"))


def stamp_as_shown(page):
    """Where the stamp's line starts, and which way it runs, on `page` as a reader sees it (the
    page turned as it is shown)."""
    page.transfer_rotation_to_content()
    found = []

    def visit(text, cm, tm, font, size):
        if "Licensed" in text:
            found.append(times(tm, cm))

    page.extract_text(visitor_text=visit)
    a, b, _, _, e, f = found[0]
    return (e, f), (a, b)


def times(m, n):
    """The product of two PDF matrices [a b c d e f]."""
    return (
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    )


def test_every_page_of_the_readers_copy_names_them_and_the_day(client, summer, reader, stamping):
    original = summer.edition.read()
    client.force_login(reader)
    copy = PdfReader(BytesIO(served(client, summer)))
    assert len(copy.pages) == 3
    for number, page in enumerate(copy.pages, start=1):
        text = page.extract_text()
        assert LINE in text and f"Page {number} of the printed issue" in text
    with open(summer.edition.path, "rb") as file:
        assert file.read() == original


def test_the_stamp_is_upright_at_the_foot_of_every_page_whatever_its_size_or_turn(
    client, summer, reader, stamping
):
    client.force_login(reader)
    copy = PdfWriter(clone_from=BytesIO(served(client, summer)))
    assert copy.pages[2].rotation == 90  # the page is turned as before, not rewritten
    for page in copy.pages:
        (x, y), direction = stamp_as_shown(page)
        box = page.trimbox
        assert direction[0] > 0 and abs(direction[1]) < 1e-6  # left to right, level
        assert 0 < y - float(box.bottom) < 15
        assert float(box.left) < x < float(box.left) + float(box.width) / 2


def test_the_copy_is_made_once_and_keeps_the_day_it_was_made(
    client, summer, reader, stamping, settings
):
    client.force_login(reader)
    first = served(client, summer)
    [name] = copies(settings, summer)
    kept = os.stat(settings.EDITIONS_ROOT / "stamped" / str(summer.edition_key) / name)
    with time_machine.travel(MADE + timedelta(days=5), tick=False):
        client.force_login(reader)
        assert served(client, summer) == first
    again = os.stat(settings.EDITIONS_ROOT / "stamped" / str(summer.edition_key) / name)
    assert (again.st_ino, again.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert copies(settings, summer) == [name]


def test_each_reader_and_each_email_address_has_a_copy_of_its_own(
    client, almanac, summer, reader, stamping, settings
):
    client.force_login(reader)
    served(client, summer)
    client.force_login(subscriber(almanac, "fern@example.com"))
    fern = PdfReader(BytesIO(served(client, summer)))
    assert "Licensed to fern@example.com on 3 December 2026" in fern.pages[0].extract_text()
    assert len(copies(settings, summer)) == 2
    before = copies(settings, summer)
    reader.email = "reader@new.example"
    reader.save()
    client.force_login(reader)
    renamed = PdfReader(BytesIO(served(client, summer)))
    assert "Licensed to reader@new.example on" in renamed.pages[1].extract_text()
    after = copies(settings, summer)
    assert len(after) == 2 and len(set(before) & set(after)) == 1  # the old address's is gone


def test_a_replaced_edition_file_gives_a_new_copy(client, summer, reader, stamping, settings):
    client.force_login(reader)
    served(client, summer)
    with open(summer.edition.path, "wb") as file:
        file.write(printed_pages(count=2))
    copy = PdfReader(BytesIO(served(client, summer)))
    assert len(copy.pages) == 2 and LINE in copy.pages[1].extract_text()
    assert len(copies(settings, summer)) == 1  # the old file's copy is gone


def test_staff_are_sent_a_stamped_copy_too(client, summer, stamping):
    client.force_login(make_user("editor@example.com", is_staff=True))
    copy = PdfReader(BytesIO(served(client, summer)))
    assert "Licensed to editor@example.com on 3 December 2026" in copy.pages[0].extract_text()


def test_headers_are_those_of_the_edition(client, summer, reader, stamping):
    client.force_login(reader)
    response = client.get(url(summer))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="homestead-vol-12-no-3.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_without_the_setting_the_edition_is_sent_as_it_is(client, summer, reader, settings):
    client.force_login(reader)
    assert served(client, summer) == summer.edition.read()
    assert copies(settings, summer) == []


def test_behind_nginx_or_apache_the_front_server_sends_the_stamped_copy(
    client, summer, reader, stamping, settings
):
    client.force_login(reader)
    settings.EDITIONS_SERVED_BY = "nginx"
    response = client.get(url(summer))
    [name] = copies(settings, summer)
    stamped = f"stamped/{summer.edition_key}/{name}"
    assert response["X-Accel-Redirect"] == f"/protected-editions/{stamped}"
    assert response.content == b""
    copy = PdfReader(settings.EDITIONS_ROOT / stamped)
    assert LINE in copy.pages[0].extract_text()
    settings.EDITIONS_SERVED_BY = "apache"
    response = client.get(url(summer))
    assert response["X-Sendfile"] == str(settings.EDITIONS_ROOT / stamped)


def test_a_deleted_account_or_a_removed_edition_takes_its_copies_along(
    client, almanac, summer, reader, stamping, settings, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    served(client, summer)
    fern = subscriber(almanac, "fern@example.com")
    client.force_login(fern)
    served(client, summer)
    with django_capture_on_commit_callbacks(execute=True):
        fern.delete()
    [kept] = copies(settings, summer)
    assert kept.split("/")[1].startswith(f"{reader.pk}-")
    with django_capture_on_commit_callbacks(execute=True):
        summer.edition.delete()  # cleared in the admin
    assert copies(settings, summer) == []


def test_a_pdf_locked_only_against_changes_is_stamped_and_stays_locked(
    client, summer, reader, stamping
):
    writer = PdfWriter(clone_from=PdfReader(BytesIO(printed_pages())))
    no_copying = UserAccessPermissions.PRINT  # may be printed, not copied from or changed
    writer.encrypt(
        user_password="", owner_password="the printer's", permissions_flag=no_copying,
        algorithm="AES-128",
    )  # fmt: skip
    with open(summer.edition.path, "wb") as file:
        file.write(as_bytes(writer))
    client.force_login(reader)
    copy = PdfReader(BytesIO(served(client, summer)))
    assert copy.is_encrypted and copy.decrypt("")  # opens without a password, as the original
    assert LINE in copy.pages[2].extract_text()
    assert copy.user_access_permissions & UserAccessPermissions.PRINT
    assert not copy.user_access_permissions & UserAccessPermissions.EXTRACT


def encrypted():
    writer = PdfWriter(clone_from=PdfReader(BytesIO(printed_pages())))
    writer.encrypt("owner-only", algorithm="RC4-128")
    return as_bytes(writer)


@pytest.mark.parametrize(
    "content",
    [encrypted(), b"%PDF-1.4\n% not a PDF after all\n%%EOF\n"],
    ids=["encrypted", "damaged"],
)
def test_an_edition_that_cannot_be_stamped_is_not_sent_at_all(
    client, summer, reader, stamping, settings, caplog, content
):
    with open(summer.edition.path, "wb") as file:
        file.write(content)
    client.force_login(reader)
    response = client.get(url(summer))
    assert response.status_code == 503 and b"%PDF" not in response.content
    assert "cannot be prepared" in response.content.decode()
    [logged] = [r for r in caplog.records if r.name == "magazine.pages.editions"]
    assert logged.levelname == "ERROR" and "cannot be stamped" in logged.getMessage()
    assert copies(settings, summer) == []


def test_a_missing_edition_file_is_not_found(client, summer, reader, stamping):
    os.remove(summer.edition.path)
    client.force_login(reader)
    assert client.get(url(summer)).status_code == 404


def test_an_international_domain_is_stamped_in_letters_the_font_has(settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    reader = make_user("reader@exämple.com")
    assert licence(reader, MADE) == "Licensed to reader@xn--exmple-cua.com on 3 December 2026"


def admin_page(client, issue):
    return f"/admin/magazine/issue/{issue.pk}/change/"


def issue_form(issue, **changes):
    return {
        "publication": issue.publication_id, "volume": issue.volume, "number": issue.number,
        "title": issue.title, "cover_date": issue.cover_date.isoformat(), "cover_image_alt": "",
        **changes,
    }  # fmt: skip


def test_the_admin_refuses_an_edition_that_could_not_be_stamped(
    client, summer, reader, stamping, settings
):
    client.force_login(make_user("editor@example.com", is_staff=True, is_superuser=True))
    locked = ContentFile(encrypted(), name="locked.pdf")
    response = client.post(admin_page(client, summer), issue_form(summer, edition=locked))
    assert response.status_code == 200
    assert "needs a password to be opened" in response.content.decode()
    client.force_login(reader)
    assert LINE in PdfReader(BytesIO(served(client, summer))).pages[0].extract_text()


def test_the_admin_says_an_edition_is_there_and_removes_it_with_its_copies(
    client, summer, reader, stamping, settings, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    served(client, summer)
    client.force_login(make_user("editor@example.com", is_staff=True, is_superuser=True))
    uploaded = summer.edition.path
    form = client.get(admin_page(client, summer)).content.decode()
    assert "a PDF is uploaded" in form and "Remove it" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            admin_page(client, summer), issue_form(summer, **{"edition-clear": "on"})
        )
    assert response.status_code == 302
    summer.refresh_from_db()
    assert not summer.edition and copies(settings, summer) == []
    assert not os.path.exists(uploaded)  # the file itself is gone too
    assert client.get(url(summer)).status_code == 404


def test_a_full_disk_gives_no_copy_and_no_500(client, summer, reader, stamping, monkeypatch):
    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("magazine.stamping.keep", full)
    client.force_login(reader)
    response = client.get(url(summer))
    assert response.status_code == 503 and b"%PDF" not in response.content


def test_an_edition_change_that_fails_keeps_the_file_readers_are_sent(
    client, summer, reader, monkeypatch
):
    from magazine.admin import IssueAdmin

    def fails(*args, **kwargs):
        raise RuntimeError("the change could not be logged")

    monkeypatch.setattr(IssueAdmin, "log_change", fails)
    client.force_login(make_user("editor@example.com", is_staff=True, is_superuser=True))
    client.raise_request_exception = False
    replacement = ContentFile(printed_pages(count=2), name="new.pdf")
    response = client.post(admin_page(client, summer), issue_form(summer, edition=replacement))
    assert response.status_code == 500
    summer.refresh_from_db()
    assert os.path.exists(summer.edition.path)  # the row kept its file, and the file is there
    client.force_login(reader)
    assert len(PdfReader(BytesIO(served(client, summer))).pages) == 3


def test_an_edition_replaced_in_the_admin_takes_the_old_file_and_its_copies_along(
    client, summer, reader, stamping, settings, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    served(client, summer)
    old_file = summer.edition.path
    client.force_login(make_user("editor@example.com", is_staff=True, is_superuser=True))
    replacement = ContentFile(printed_pages(count=2), name="new.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_page(client, summer), issue_form(summer, edition=replacement))
    assert response.status_code == 302
    assert not os.path.exists(old_file) and copies(settings, summer) == []
    client.force_login(reader)
    assert len(PdfReader(BytesIO(served(client, summer))).pages) == 2
