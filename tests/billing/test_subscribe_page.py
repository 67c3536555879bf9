"""The subscribe page in each way a publisher sells: here, by cheque and phone, or elsewhere."""

from http import HTTPStatus

from billing.models import CheckoutAttempt
from tests.factories import make_publication, subscribe


def test_with_the_manual_provider_the_page_shows_prices_and_how_to_pay(
    client, settings, almanac, yearly, reader
):
    settings.BILLING_PROVIDER = "manual"
    almanac.subscribe_text = "Call 1-800-555-0142 or mail a check to PO Box 118."
    almanac.save()
    html = client.get("/almanac/subscribe/").content.decode()
    assert "$32 a year" in html and "Call 1-800-555-0142" in html
    assert 'action="/billing/checkout/"' not in html
    client.force_login(reader)
    response = client.post("/billing/checkout/", {"price": yearly.pk})
    assert response.status_code == HTTPStatus.BAD_GATEWAY
    assert not CheckoutAttempt.objects.exists()


def test_a_publication_selling_elsewhere_sends_readers_there(client, db):
    make_publication(slug="elsewhere", subscribe_url="https://shop.example/elsewhere")
    response = client.get("/elsewhere/subscribe/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "https://shop.example/elsewhere"


def test_a_subscriber_sees_until_when_instead_of_a_price(client, reader, almanac, yearly):
    subscribe(reader, almanac)
    client.force_login(reader)
    html = client.get("/almanac/subscribe/").content.decode()
    assert "You subscribe" in html
    assert f'value="{yearly.pk}"' not in html


def test_an_archived_price_is_not_offered_nor_sold(client, reader, yearly, monthly):
    monthly.active = False
    monthly.save()
    assert "$4 a month" not in client.get("/almanac/subscribe/").content.decode()
    client.force_login(reader)
    response = client.post("/billing/checkout/", {"price": monthly.pk})
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_nonsense_choices_are_clear_errors(client, reader, yearly):
    client.force_login(reader)
    for value in ("", "²", "99999999999", "-1", "abc"):
        assert client.post("/billing/checkout/", {"price": value}).status_code == 404
    assert client.get("/billing/checkout/").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    page = client.get("/almanac/subscribe/?price=²&next=https://evil.example/")
    assert page.status_code == HTTPStatus.OK
    assert "evil.example" not in page.content.decode()
