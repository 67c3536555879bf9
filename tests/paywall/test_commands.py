from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from paywall.models import Subscription
from paywall.subscriptions import end_of_day
from tests.factories import make_publication, make_user

pytestmark = pytest.mark.django_db

NEXT_YEAR = (timezone.localdate() + timedelta(days=365)).isoformat()


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_grant_subscription_gives_access_until_the_end_of_that_day():
    user = make_user("hen@example.com")
    publication = make_publication(slug="poultry")
    out, _ = run("grant_subscription", "HEN@example.com", "poultry", "--until", NEXT_YEAR)
    subscription = Subscription.objects.get(user=user)
    assert subscription.ends_at == end_of_day(date.fromisoformat(NEXT_YEAR))
    assert list(subscription.plan.publications.all()) == [publication]
    assert "created" in out
    out, _ = run("grant_subscription", "hen@example.com", "poultry", "--until", NEXT_YEAR)
    assert "unchanged" in out
    assert Subscription.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.com", "poultry", "--until", NEXT_YEAR], "No reader"),
        (["hen@example.com", "nope", "--until", NEXT_YEAR], "No publication"),
        (["hen@example.com", "poultry", "--until", "31/01/2027"], "must be a date"),
        (["hen@example.com", "poultry", "--until", "2001-01-01"], "already passed"),
    ],
)
def test_grant_subscription_explains_bad_input(args, message):
    make_user("hen@example.com")
    make_publication(slug="poultry")
    with pytest.raises(CommandError, match=message):
        run("grant_subscription", *args)


CSV = f"""email,publication,end_date
existing@example.com,poultry,{NEXT_YEAR}
New.Reader@Example.com,homestead,{NEXT_YEAR}
not-an-email,poultry,{NEXT_YEAR}
someone@example.com,unknown-magazine,{NEXT_YEAR}
someone@example.com,poultry,31/12/2027
someone@example.com,poultry,2001-01-01
too,few

"""


@pytest.fixture
def csv_file(tmp_path):
    make_user("existing@example.com")
    make_publication(slug="poultry")
    make_publication(slug="homestead")
    path = tmp_path / "subscribers.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_import_reports_each_bad_row_and_imports_the_good_ones(csv_file):
    out, err = run("import_subscribers", str(csv_file))
    assert "row 4: “not-an-email” is not an email address" in err
    assert "row 5: no publication with the slug “unknown-magazine”" in err
    assert "row 6: end date “31/12/2027” is not a date like 2027-01-31" in err
    assert "row 7: end date 2001-01-01 has already passed" in err
    assert "row 8: expected 3 columns, found 2" in err
    assert (
        "7 rows: 2 subscriptions created, 0 extended, 0 unchanged, 5 rejected; 1 new readers" in out
    )
    assert Subscription.objects.count() == 2


def test_import_creates_missing_readers_without_a_password(csv_file):
    run("import_subscribers", str(csv_file))
    user = get_user_model().objects.get(email="new.reader@example.com")
    assert not user.has_usable_password()
    assert user.subscriptions.get().status().value == "active"


def test_imported_reader_sets_a_password_through_password_reset(csv_file, client):
    run("import_subscribers", str(csv_file))
    response = client.post("/accounts/password/reset/", {"email": "new.reader@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.reader@example.com"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_importing_the_same_file_again_changes_nothing(csv_file):
    run("import_subscribers", str(csv_file))
    before = list(Subscription.objects.values_list("pk", "ends_at", "updated_at"))
    out, _ = run("import_subscribers", str(csv_file))
    assert "0 subscriptions created, 0 extended, 2 unchanged, 5 rejected; 0 new readers" in out
    assert list(Subscription.objects.values_list("pk", "ends_at", "updated_at")) == before


def test_import_refuses_a_file_without_the_header(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c\n", encoding="utf-8")
    with pytest.raises(CommandError, match="header email,publication,end_date"):
        run("import_subscribers", str(path))


def test_import_explains_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_subscribers", str(tmp_path / "missing.csv"))
