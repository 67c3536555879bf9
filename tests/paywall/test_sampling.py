"""Sampling: a publication's free articles a month, counted on the server by the one access
rule — the page whole while the allowance lasts, then the registration wall, then the paywall."""

import json
import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from magazine.models import Article
from paywall import meter
from paywall.models import SampledRead
from tests.factories import (
    HIDDEN,
    PASSWORD,
    make_article,
    make_gift_link,
    make_publication,
    make_section,
    make_staff,
    make_user,
    subscribe,
)

pytestmark = pytest.mark.django_db

REGISTER_WALL = "Create a free account to read 5 articles a month"
SUBSCRIBE_WALL = "Subscribe to The Backyard Flock to keep reading"


@pytest.fixture
def flock():
    publication = make_publication(
        name="The Backyard Flock", slug="flock", free_articles_anonymous=2,
        free_articles_registered=5,
    )  # fmt: skip
    section = make_section(publication, slug="health")
    return [
        make_article(section=section, access=Article.Access.SUBSCRIBERS, slug=f"hens-{n}")
        for n in range(1, 8)
    ]


CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+')


def read(client, article, **headers):
    response = client.get(article.get_absolute_url(), headers=headers)
    return response, response.content.decode()


def whole(client, article, **headers):
    return HIDDEN in read(client, article, **headers)[1]


def test_two_articles_read_whole_the_third_walled_the_first_read_again_whole(client, flock):
    first, second, third = flock[:3]
    _, html = read(client, first)
    assert HIDDEN in html
    assert "You have 1 of 2 free Backyard Flock articles left this month" in html
    _, html = read(client, second)
    assert HIDDEN in html and "This is the last of your 2 free Backyard Flock articles" in html
    _, html = read(client, third)
    assert HIDDEN not in html and REGISTER_WALL in html
    assert f'href="/accounts/signup/?next=/flock/{third.slug}/"' in html
    assert whole(client, first)  # already counted: free to read again, and counted once
    assert not whole(client, third)


def test_the_cookie_is_signed_private_to_the_server_and_lasts_thirty_days(client, flock):
    response, _ = read(client, flock[0])
    cookie = response.cookies[meter.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 30 * 24 * 60 * 60
    assert response["Cache-Control"] == "private" and "Cookie" in response["Vary"]


def test_a_flipped_byte_in_the_cookie_walls_instead_of_starting_over(client, flock):
    read(client, flock[0])
    value = client.cookies[meter.COOKIE].value
    flipped = value[:3] + ("1" if value[3] != "1" else "2") + value[4:]
    client.cookies[meter.COOKIE] = flipped
    assert not whole(client, flock[1])
    assert not whole(client, flock[0])
    del client.cookies[meter.COOKIE]  # deleting it does start over: then comes the account wall
    assert whole(client, flock[1])


def test_a_cookie_signed_with_the_previous_key_still_counts(client, flock, settings):
    read(client, flock[0])
    read(client, flock[1])
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert whole(client, flock[0])
    assert not whole(client, flock[2])


def test_head_feeds_search_and_prefetch_leave_the_count_alone(client, flock):
    first, second, third = flock[:3]
    assert HIDDEN not in client.head(first.get_absolute_url()).content.decode()
    for url in ["/flock/feeds/rss/", "/feeds/atom/", "/search/?q=hedgehog", "/sitemap.xml"]:
        assert HIDDEN not in client.get(url).content.decode()
    prefetched = client.get(first.get_absolute_url(), headers={"Sec-Purpose": "prefetch"})
    assert prefetched.status_code == 425 and "no-store" in prefetched["Cache-Control"]
    assert meter.COOKIE not in prefetched.cookies
    legacy = client.get(first.get_absolute_url(), headers={"Purpose": "prefetch"})
    assert legacy.status_code == 425
    assert whole(client, first) and whole(client, second)  # two free articles, still
    assert not whole(client, third)
    # A prefetch of an article already counted is the page itself (and counts nothing).
    response, html = read(client, first, **{"Sec-Purpose": "prefetch"})
    assert response.status_code == 200 and HIDDEN in html


def test_each_publication_has_its_own_allowance(client, flock):
    other = make_publication(name="Homestead Almanac", free_articles_anonymous=1)
    elsewhere = make_article(other, access=Article.Access.SUBSCRIBERS)
    read(client, flock[0])
    read(client, flock[1])
    assert not whole(client, flock[2])
    assert whole(client, elsewhere)
    assert not whole(client, make_article(other, access=Article.Access.SUBSCRIBERS))


def test_a_site_wide_cap_bounds_all_publications_together(client, flock, settings):
    settings.PAYWALL_SAMPLING_SITE_CAP = 2
    other = make_publication(name="Homestead Almanac", free_articles_anonymous=3)
    elsewhere = [make_article(other, access=Article.Access.SUBSCRIBERS) for _ in range(2)]
    assert whole(client, flock[0])
    assert whole(client, elsewhere[0])
    assert not whole(client, elsewhere[1])
    assert not whole(client, flock[1])


def test_the_window_is_thirty_days_rolling(client, flock):
    read(client, flock[0])
    read(client, flock[1])
    assert not whole(client, flock[2])
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert whole(client, flock[2])


def test_an_exempt_article_is_always_walled(client, flock):
    Article.objects.filter(pk=flock[0].pk).update(exempt_from_sampling=True)
    assert not whole(client, flock[0])
    assert whole(client, flock[1]) and whole(client, flock[2])


def test_a_publication_without_sampling_walls_at_once(client):
    plain = make_article(make_publication(), access=Article.Access.SUBSCRIBERS)
    response, html = read(client, plain)
    assert HIDDEN not in html and meter.COOKIE not in response.cookies
    assert "You are trying to access subscribers-only content." in html


def test_signing_up_from_the_wall_merges_the_count_and_reads_on(client, flock):
    first, second, third = flock[:3]
    read(client, first)
    read(client, second)
    _, html = read(client, third)
    signup = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', html)[1]
    response = client.post(
        signup.replace("&amp;", "&"),
        {"email": "hen@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == third.get_absolute_url()
    assert response.cookies[meter.COOKIE].value == ""  # the cookie is spent
    reader = SampledRead.objects.filter(user__email="hen@example.com")
    assert set(reader.values_list("article_id", flat=True)) == {first.pk, second.pk}
    _, html = read(client, third)
    assert HIDDEN in html and "You have 2 of 5 free Backyard Flock articles left" in html
    assert whole(client, first)  # not counted twice
    assert reader.count() == 3
    for article in flock[3:5]:
        assert whole(client, article)
    _, html = read(client, flock[5])
    assert HIDDEN not in html and SUBSCRIBE_WALL in html


def test_logging_in_merges_without_counting_an_article_twice(client, flock):
    hen = make_user("hen@example.com")
    SampledRead.objects.create(
        user=hen, article=flock[0], publication_id=flock[0].publication_id,
        read_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    read(client, flock[0])
    read(client, flock[1])
    client.post("/accounts/login/", {"login": "hen@example.com", "password": PASSWORD})
    assert SampledRead.objects.filter(user=hen).count() == 2


def test_subscribers_and_staff_are_never_counted_and_see_no_counter(client, flock):
    subscriber = make_user("subscriber@example.com")
    subscribe(subscriber, flock[0].publication)
    editor = make_user("editor@example.com", is_staff=True)
    for person in (subscriber, editor):
        client.force_login(person)
        for article in flock:
            response, html = read(client, article)
            assert HIDDEN in html and "free Backyard Flock" not in html
            assert meter.COOKIE not in response.cookies
    assert not SampledRead.objects.exists()


def test_a_gift_link_read_is_not_counted(client, flock):
    from paywall import gifts

    link = make_gift_link(flock[0])
    response = client.get(f"{flock[0].get_absolute_url()}?gift={gifts.token_for(link)}")
    assert HIDDEN in response.content.decode() and meter.COOKIE not in response.cookies
    assert whole(client, flock[1]) and whole(client, flock[2])


def test_a_claimed_search_engine_gets_exactly_what_the_same_visitor_gets(client, flock):
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    crawler = Client(headers={"User-Agent": googlebot})

    def page(visitor, article):
        return CSRF_VALUE.sub(r"\1", read(visitor, article)[1])  # each visit's own token aside

    first = page(crawler, flock[0])
    assert HIDDEN in first and first == page(Client(), flock[0])  # a cookie-less first visit
    page(crawler, flock[1])
    used_up = page(crawler, flock[2])
    read(client, flock[0])
    read(client, flock[1])
    assert HIDDEN not in used_up and used_up == page(client, flock[2])


def test_structured_data_says_subscribers_only_whatever_the_meter_says(client, flock):
    _, html = read(client, flock[0])
    assert HIDDEN in html
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    data = json.loads(script)
    article = next(i for i in data["@graph"] if "hasPart" in i) if "@graph" in data else data
    assert article["isAccessibleForFree"] is False
    assert article["hasPart"]["isAccessibleForFree"] is False


def test_the_page_cache_never_gives_one_visitors_sampled_page_to_another(client, flock):
    sampler, used_up, newcomer = Client(), Client(), Client()
    assert whole(sampler, flock[0])
    read(used_up, flock[1])
    read(used_up, flock[2])
    assert not whole(used_up, flock[0])  # served its own wall, not the sampler's page
    assert whole(sampler, flock[0])
    response, html = read(newcomer, flock[0])
    assert HIDDEN in html and meter.COOKIE in response.cookies  # counted, not replayed


def test_a_network_cap_when_set_walls_new_samples_from_that_network(flock, settings):
    settings.PAYWALL_SAMPLING_PER_NETWORK_PER_DAY = 3
    neighbours = [Client(REMOTE_ADDR=f"203.0.113.{n}") for n in range(1, 4)]
    assert whole(neighbours[0], flock[0]) and whole(neighbours[0], flock[1])
    assert whole(neighbours[1], flock[0])
    assert not whole(neighbours[2], flock[0])  # a fourth free article from the network today
    assert whole(neighbours[0], flock[0])  # already counted: still free to read again
    assert whole(Client(REMOTE_ADDR="198.51.100.7"), flock[0])
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert whole(neighbours[2], flock[0])


def test_a_registered_reader_is_counted_in_the_database_not_a_cookie(client, flock):
    client.force_login(make_user("hen@example.com"))
    for article in flock[:5]:
        response, html = read(client, article)
        assert HIDDEN in html and meter.COOKIE not in response.cookies
    _, html = read(client, flock[5])
    assert HIDDEN not in html and SUBSCRIBE_WALL in html
    assert whole(client, flock[0])
    assert SampledRead.objects.count() == 5


def test_a_cookie_of_a_logged_in_reader_is_ignored(client, flock):
    read(client, flock[0])
    read(client, flock[1])
    client.force_login(make_user("hen@example.com"))  # no login view: nothing merged
    assert whole(client, flock[2])
    assert SampledRead.objects.count() == 1


def test_hostile_cookies_are_a_used_up_allowance_not_an_error(client, flock):
    for value in ["", "garbage", "1-2-3:bad", "x" * 5000, "\u00b2-1-1:sig"]:
        client.cookies[meter.COOKIE] = value
        response, html = read(client, flock[0])
        assert response.status_code == 200 and HIDDEN not in html


def test_a_signed_cookie_with_a_malformed_list_is_refused_too(client, flock):
    response = Client().get("/")
    response.set_signed_cookie(meter.COOKIE, "1-²-3.abc", salt=meter.SALT)
    client.cookies = SimpleCookie({meter.COOKIE: response.cookies[meter.COOKIE].value})
    response, html = read(client, flock[0])
    assert response.status_code == 200 and HIDDEN not in html


def test_the_meter_costs_no_query_for_a_visitor_and_one_for_a_reader(
    client, flock, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.magazine.pages.test_query_budget import WARM_BUDGET

    def meter_queries():
        with CaptureQueriesContext(connection) as queries:
            assert whole(client, flock[0])
        return [q["sql"] for q in queries if "sampledread" in q["sql"].lower()]

    assert meter_queries() == []  # counting a visitor's read
    assert meter_queries() == []  # and reading it again
    client.force_login(make_user("hen@example.com"))
    read(client, flock[0])
    assert len(meter_queries()) == 1  # a reader's re-read: their meter, read once
    with django_assert_max_num_queries(WARM_BUDGET + 1):
        read(client, flock[0])


def test_editors_set_the_allowances_and_exempt_articles_in_the_admin(client, flock):
    from magazine.roles import EDITORS

    client.force_login(make_staff(EDITORS, "editor@example.com"))
    publication = flock[0].publication
    page = client.get(f"/admin/magazine/publication/{publication.pk}/change/").content.decode()
    assert 'name="free_articles_anonymous" value="2"' in page
    assert 'name="free_articles_registered" value="5"' in page
    page = client.get(f"/admin/magazine/article/{flock[0].pk}/change/").content.decode()
    assert 'name="exempt_from_sampling"' in page


def test_logging_in_with_a_cookie_naming_a_deleted_article_merges_the_rest(client, flock):
    hen = make_user("hen@example.com")
    read(client, flock[0])
    read(client, flock[1])
    Article.objects.filter(pk=flock[0].pk).delete()
    response = client.post("/accounts/login/", {"login": hen.email, "password": PASSWORD})
    assert response.status_code == 302
    assert list(SampledRead.objects.values_list("article_id", flat=True)) == [flock[1].pk]


def test_logging_out_is_not_a_fresh_allowance(client, flock):
    hen = make_user("hen@example.com")
    client.post("/accounts/login/", {"login": hen.email, "password": PASSWORD})
    read(client, flock[0])
    read(client, flock[1])
    response = client.post("/accounts/logout/")
    assert meter.COOKIE in response.cookies
    assert whole(client, flock[0])  # counted while logged in: still free to read again
    assert not whole(client, flock[2])


def test_a_reader_sampling_an_article_may_join_its_conversation(client, flock):
    client.force_login(make_user("hen@example.com"))
    assert whole(client, flock[0])
    posted = client.post(f"/comments/articles/{flock[0].pk}/", {"body": "Lovely hens."})
    assert posted.status_code == 302
    assert flock[0].comments.filter(body="Lovely hens.").exists()


def test_the_notice_counts_the_site_wide_cap_when_it_is_the_lower(client, flock, settings):
    settings.PAYWALL_SAMPLING_SITE_CAP = 2
    other = make_publication(name="Homestead Almanac", free_articles_anonymous=3)
    read(client, make_article(other, access=Article.Access.SUBSCRIBERS))
    _, html = read(client, flock[0])
    assert "This is the last of your 2 free Backyard Flock articles" in html
    _, html = read(client, flock[1])
    assert "You have read your free articles for this month." in html and HIDDEN not in html


def test_reading_a_counted_article_again_past_the_allowance_says_so(client, flock):
    read(client, flock[0])
    read(client, flock[1])
    _, html = read(client, flock[0])
    assert HIDDEN in html
    assert "You have read your free articles for this month; this one you may read again." in html


def test_a_publication_free_only_with_an_account_shows_visitors_the_account_wall(client):
    publication = make_publication(name="The Backyard Flock", free_articles_registered=3)
    article = make_article(publication, access=Article.Access.SUBSCRIBERS)
    response, html = read(client, article)
    assert HIDDEN not in html and "Create a free account to read 3 articles a month" in html
    assert meter.COOKIE not in response.cookies
    client.force_login(make_user("hen@example.com"))
    assert whole(client, article)


def test_an_ipv4_address_seen_over_ipv6_is_the_same_network(flock, settings, rf):
    from django.utils import timezone as tz

    settings.PAYWALL_SAMPLING_PER_NETWORK_PER_DAY = 1
    now = tz.now()
    plain = meter.network_key(rf.get("/", REMOTE_ADDR="203.0.113.9"), now)
    mapped = meter.network_key(rf.get("/", REMOTE_ADDR="::ffff:203.0.113.200"), now)
    assert plain == mapped and plain != meter.network_key(rf.get("/", REMOTE_ADDR="::1"), now)


def test_a_newcomers_page_kept_for_the_next_newcomer_is_not_given_to_head_or_prefetch(flock):
    url = flock[0].get_absolute_url()
    first = Client().get(url)
    assert meter.COOKIE in first.cookies
    again = Client().get(url)  # the same first free article, from the page cache
    assert HIDDEN in again.content.decode() and meter.COOKIE in again.cookies
    assert again.cookies[meter.COOKIE].value == first.cookies[meter.COOKIE].value
    assert again.cookies[meter.COOKIE]["httponly"]
    head = Client().head(url)
    assert meter.COOKIE not in head.cookies
    prefetch = Client().get(url, headers={"Sec-Purpose": "prefetch;prerender"})
    assert prefetch.status_code == 425 and meter.COOKIE not in prefetch.cookies
