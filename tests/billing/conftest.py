import pytest
from django.core import mail

from billing.models import Price
from paywall.models import Plan
from paywall.subscriptions import plan_for_publication
from tests.billing.stripe_support import FakeStripe, StripeStub, use_stripe
from tests.factories import make_article, make_publication, make_user


@pytest.fixture(autouse=True)
def _billing_settings(settings):
    settings.BILLING_PROVIDER = "test"
    settings.MANAGERS = [("Staff", "staff@example.com")]
    mail.outbox.clear()


@pytest.fixture
def almanac(db):
    return make_publication(name="Homestead Almanac", slug="almanac", print_issues_per_year=4)


@pytest.fixture
def flock(db):
    return make_publication(name="The Backyard Flock", slug="flock")


@pytest.fixture
def plan(almanac):
    return plan_for_publication(almanac)


@pytest.fixture
def yearly(plan):
    return Price.objects.create(plan=plan, interval="year", amount=3200)


@pytest.fixture
def monthly(plan):
    return Price.objects.create(plan=plan, interval="month", amount=400)


@pytest.fixture
def bundle(almanac, flock):
    plan = Plan.objects.create(name="All three titles", slug="all")
    plan.publications.add(almanac, flock)
    return plan


@pytest.fixture
def bundle_yearly(bundle):
    return Price.objects.create(plan=bundle, interval="year", amount=6000)


@pytest.fixture
def reader(db):
    return make_user("reader@example.com", verified=True, display_name="Rosa Reader")


@pytest.fixture
def locked_article(almanac):
    return make_article(almanac, access="subscribers", title="Seed saving", slug="seed-saving")


@pytest.fixture(scope="session")
def fake_stripe_server():
    """The fake Stripe (localstripe and tests/fakestripe.py) in a process of its own."""
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(fake_stripe_server, settings):
    """The site on the fake Stripe, emptied for this test."""
    fake_stripe_server.reset()
    use_stripe(settings, fake_stripe_server.url)
    return fake_stripe_server


@pytest.fixture
def stripe_stub(settings):
    """The site on a stub of Stripe's API, serving the objects the test writes."""
    stub = StripeStub().start()
    use_stripe(settings, stub.url)
    yield stub
    stub.stop()
