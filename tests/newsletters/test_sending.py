"""An article's email: sent once per newsletter when it is published, to each recipient as
the paywall lets that recipient read it."""

import re
from datetime import timedelta
from email.utils import parseaddr

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from magazine.models import Article
from newsletters.models import Cadence, Delivery, Send
from newsletters.sending import digest_due_at, start_due_article_sends
from outbox import suppression
from tests.factories import (
    HIDDEN,
    TEASER,
    make_article,
    make_publication,
    make_section,
    make_user,
    subscribe,
)
from tests.newsletters.helpers import everything_in, make_newsletter, sent_to, sign_up, tick

pytestmark = pytest.mark.django_db

SUBSCRIBERS_ONLY = "More for subscribers only."


@pytest.fixture
def title():
    return make_publication(name="Homestead Almanac", slug="homestead")


@pytest.fixture
def newsletter(title):
    return make_newsletter(
        title, name="Homestead Almanac — new articles", sender_name="Homestead Almanac"
    )


def publish(publication, **fields):
    fields.setdefault("access", Article.Access.SUBSCRIBERS)
    fields.setdefault("publish_at", timezone.now() - timedelta(minutes=1))
    return make_article(publication, **fields)


@pytest.fixture
def readers(title, newsletter):
    """Six readers of the newsletter: four get mail, two (unsubscribed, suppressed) do not."""
    other_title = make_publication(name="The Backyard Flock")
    people = {
        "subscriber": make_user("subscriber@example.com"),
        "free": make_user("free@example.com"),
        "other": make_user("other@example.com"),
        "lapsed": make_user("lapsed@example.com"),
        "unsubscribed": make_user("gone@example.com"),
        "suppressed": make_user("complained@example.com"),
    }
    subscribe(people["subscriber"], title)
    subscribe(people["other"], other_title)
    now = timezone.now()
    subscribe(
        people["lapsed"],
        title,
        starts_at=now - timedelta(days=400),
        ends_at=now - timedelta(days=35),
    )
    for person in people.values():
        sign_up(newsletter, person)
    newsletter.signups.filter(user=people["unsubscribed"]).update(unsubscribed_at=now)
    suppression.suppress("Complained@Example.com", suppression.Reason.COMPLAINT, source="test")
    return people


def test_a_subscribers_only_article_reaches_each_reader_as_the_paywall_lets_them_read_it(
    title, readers
):
    article = publish(title)
    tick()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "free@example.com", "lapsed@example.com", "other@example.com", "subscriber@example.com",
    ]  # fmt: skip
    whole = everything_in(sent_to("subscriber@example.com")[0])
    assert HIDDEN in whole and SUBSCRIBERS_ONLY in whole
    for address in ["free@example.com", "other@example.com", "lapsed@example.com"]:
        message = sent_to(address)[0]
        text = everything_in(message)
        assert HIDDEN not in text and SUBSCRIBERS_ONLY not in text and "hedgehog" not in text
        assert TEASER.split("\n\n")[0] in message.body  # the teaser, in the text part too
        html = message.alternatives[0][0]
        assert (
            "Read the rest" in html
            and f"https://magazine.example{article.get_absolute_url()}" in html
        )
        assert f"https://magazine.example/{title.slug}/subscribe/" in html
    assert "Renew your subscription" in sent_to("lapsed@example.com")[0].alternatives[0][0]


def test_the_plain_text_part_is_made_from_the_filtered_html_not_from_the_source(title, readers):
    publish(
        title, body=f"{TEASER}\n\n<!-- more -->\n\n{HIDDEN}\n\n![SECRET-ALT hidden picture](/x.png)"
    )
    tick()
    for address in ["free@example.com", "other@example.com", "lapsed@example.com"]:
        text = everything_in(sent_to(address)[0])
        assert "SECRET" not in text and "hedgehog" not in text
    assert "SECRET-PARAGRAPH" in sent_to("subscriber@example.com")[0].body


def test_nothing_past_the_teaser_is_in_the_title_preheader_or_alt_text(title, readers):
    publish(title, seo_description="A public description.", lead_image_alt="A public picture.")
    tick()
    html = sent_to("free@example.com")[0].alternatives[0][0]
    hidden_parts = re.findall(r"display:none[^>]*>([^<]*)<", html) + re.findall(
        r"<title>([^<]*)</title>", html
    )
    assert hidden_parts and all("hedgehog" not in part for part in hidden_parts)


def test_publishing_again_sends_nothing_more(title, readers):
    article = publish(title)
    tick()
    assert len(mail.outbox) == 4
    article.status = Article.Status.DRAFT
    article.save()
    tick()
    article.status = Article.Status.PUBLISHED
    article.publish_at = timezone.now()
    article.save()
    article.title = "Corrected title"
    article.save()
    tick()
    assert len(mail.outbox) == 4
    assert Send.objects.count() == 1


def test_each_message_has_the_list_headers_and_its_own_message_id(title, newsletter, readers):
    publish(title)
    tick()
    ids = set()
    for message in mail.outbox:
        parsed = message.message()
        https, mailto = [part.strip(" <>") for part in parsed["List-Unsubscribe"].split(",")]
        assert https.startswith("https://magazine.example/newsletters/unsubscribe/")
        assert mailto.startswith("mailto:unsubscribe@example.com?subject=unsubscribe%20")
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert f"<{newsletter.slug}.magazine.example>" in str(parsed["List-Id"])
        name, address = parseaddr(str(parsed["From"]))
        assert (name, address) == ("Homestead Almanac", "hello@example.com")
        assert message.body and message.alternatives[0][1] == "text/html"
        ids.add(parsed["Message-ID"])
    assert len(ids) == 4


def test_each_reader_has_their_own_unsubscribe_link_and_nothing_else_personal(title, readers):
    publish(title)
    tick()
    free, other = sent_to("free@example.com")[0], sent_to("other@example.com")[0]
    links = [set(re.findall(r'href="([^"]+)"', m.alternatives[0][0])) for m in (free, other)]
    personal = links[0] ^ links[1]
    assert len(personal) == 2 and all("/newsletters/unsubscribe/" in link for link in personal)
    assert "<img" not in free.alternatives[0][0]  # no tracking pixel (the article has no image)


def test_an_address_alone_gets_the_teaser(title, newsletter):
    sign_up(newsletter, email="neighbour@example.com")
    publish(title)
    tick()
    text = everything_in(sent_to("neighbour@example.com")[0])
    assert "hedgehog" not in text and "Log in" in text


def test_a_free_article_goes_whole_to_everyone(title, readers):
    publish(title, access=Article.Access.FREE)
    tick()
    assert all(HIDDEN in everything_in(m) for m in mail.outbox)


def test_an_unticked_article_is_not_emailed(title, readers):
    publish(title, send_by_email=False)
    tick()
    assert mail.outbox == []


def test_a_scheduled_article_goes_when_its_time_comes(title, readers):
    when = timezone.now() + timedelta(hours=3)
    publish(title, publish_at=when)
    tick()
    assert mail.outbox == []
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        tick()
    assert len(mail.outbox) == 4


def test_a_backdated_article_and_one_older_than_the_newsletter_are_not_news(
    title, newsletter, readers
):
    publish(title, publish_at=timezone.now() - timedelta(days=5))
    newsletter.created_at = timezone.now()
    newsletter.save()
    publish(title, publish_at=timezone.now() - timedelta(hours=1))
    tick()
    assert mail.outbox == []


def test_publish_now_in_the_admin_sends_it(client, title, readers):
    editor = make_user("editor@example.com", is_staff=True, is_superuser=True)
    article = publish(title, status=Article.Status.DRAFT, publish_at=None)
    client.force_login(editor)
    response = client.post(
        reverse("admin:magazine_article_changelist"),
        {"action": "publish_now", "_selected_action": [article.pk]},
    )
    assert response.status_code == 302
    tick()
    assert len(mail.outbox) == 4


def test_the_change_form_can_untick_send_by_email(client, title, readers):
    editor = make_user("editor@example.com", is_staff=True, is_superuser=True)
    client.force_login(editor)
    section = make_section(title)
    response = client.post(
        reverse("admin:magazine_article_add"),
        {
            "publication": title.pk, "section": section.pk, "title": "Quiet", "slug": "quiet-one",
            "body": "Text.", "access": "subscribers", "status": "published",
            "publish_at_0": "", "publish_at_1": "", "authors": [], "tags": [],
            # send_by_email left out: an unticked checkbox
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(slug="quiet-one").send_by_email is False
    tick()
    assert mail.outbox == []


def test_a_paused_reader_is_skipped_and_so_is_a_closed_account(title, newsletter, readers):
    from newsletters.signups import pause

    pause(readers["free"], timezone.now())
    readers["other"].is_active = False
    readers["other"].save()
    publish(title)
    tick()
    assert sorted(m.to[0] for m in mail.outbox) == ["lapsed@example.com", "subscriber@example.com"]
    skipped = dict(
        Delivery.objects.filter(state="skipped").values_list("signup__user__email", "detail")
    )
    assert skipped["free@example.com"] == "email paused"
    assert skipped["other@example.com"] == "account closed"
    assert skipped["complained@example.com"] == "address suppressed"


def test_a_newsletter_on_by_default_reaches_current_subscribers_until_they_say_no(
    title, newsletter
):
    newsletter.on_by_default = True
    newsletter.save()
    subscriber, declined = make_user(), make_user()
    make_user()  # registered, without a subscription: not a recipient
    subscribe(subscriber, title)
    subscribe(declined, title)
    sign_up(newsletter, declined, unsubscribed_at=timezone.now())
    publish(title)
    tick()
    assert [m.to[0] for m in mail.outbox] == [subscriber.email]


def test_sends_start_once_whoever_asks(title, newsletter, readers):
    publish(title)
    now = timezone.now()
    start_due_article_sends(now)
    start_due_article_sends(now)
    assert Send.objects.count() == 1
    assert Delivery.objects.count() == 5  # the suppressed reader is skipped when delivering


def test_a_digest_carries_titles_teasers_and_links_never_paid_text(title, readers):
    digest = make_newsletter(
        title, cadence=Cadence.WEEKLY, created_at=timezone.now() - timedelta(days=30)
    )
    sign_up(digest, readers["free"])
    sign_up(digest, readers["subscriber"])
    due = digest_due_at(Cadence.WEEKLY, timezone.now() + timedelta(days=7))
    with time_machine.travel(due - timedelta(days=1), tick=False):
        first = publish(title, title="Fences")
        publish(title, title="Not for email", send_by_email=False)
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        tick()
    digests = [m for m in mail.outbox if m.subject.startswith(digest.name)]
    assert {m.to[0] for m in digests} == {"free@example.com", "subscriber@example.com"}
    for message in digests:
        text = everything_in(message)
        assert "Fences" in text and first.dek in text and "Not for email" not in text
        assert "hedgehog" not in text and "open paragraph" not in text


def test_a_digest_goes_once_and_only_when_its_hour_has_come(title, readers):
    digest = make_newsletter(
        title, cadence=Cadence.DAILY, created_at=timezone.now() - timedelta(days=30)
    )
    sign_up(digest, readers["free"])
    due = digest_due_at(Cadence.DAILY, timezone.now() + timedelta(days=1))
    with time_machine.travel(due - timedelta(hours=2), tick=False):
        publish(title)
        tick()
    assert [m for m in mail.outbox if m.subject.startswith(digest.name)] == []
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        tick()
        tick()
    assert len([m for m in mail.outbox if m.subject.startswith(digest.name)]) == 1


def test_a_reader_may_take_a_newsletter_of_each_article_as_a_digest(title, newsletter, readers):
    newsletter.signups.filter(user=readers["free"]).update(cadence=Cadence.DAILY)
    due = digest_due_at(Cadence.DAILY, timezone.now() + timedelta(days=1))
    with time_machine.travel(due - timedelta(hours=2), tick=False):
        publish(title, title="Fences")
        tick()
    assert sent_to("free@example.com") == [] and len(mail.outbox) == 3
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        tick()
    [digest] = sent_to("free@example.com")
    assert "Fences" in digest.body and "hedgehog" not in everything_in(digest)


def test_an_address_on_a_newsletter_twice_gets_one_message_as_the_account(title, newsletter):
    member = make_user("member@example.com")
    subscribe(member, title)
    sign_up(newsletter, member)
    sign_up(newsletter, email="Member@Example.com")  # the same mailbox, signed up alone too
    publish(title)
    tick()
    [message] = mail.outbox
    assert HIDDEN in message.body


def test_an_article_withdrawn_or_deleted_mid_send_is_not_sent_and_holds_up_nothing(title):
    first, second = make_newsletter(title), make_newsletter(make_publication())
    for n in range(2):
        sign_up(first, email=f"a{n}@example.com")
        sign_up(second, email=f"b{n}@example.com")
    withdrawn = publish(title)
    deleted = publish(second.publication)
    start_due_article_sends(timezone.now())
    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.DRAFT)
    deleted.delete()
    tick()
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("detail", flat=True)) == {"article withdrawn"}
    third = publish(title)
    tick()
    assert {m.subject for m in mail.outbox} == {third.title}


def test_a_digest_on_by_default_reaches_subscribers(title):
    digest = make_newsletter(
        title, cadence=Cadence.DAILY, on_by_default=True,
        created_at=timezone.now() - timedelta(days=30),
    )  # fmt: skip
    subscribe(make_user("subscriber@example.com"), title)
    due = digest_due_at(Cadence.DAILY, timezone.now() + timedelta(days=1))
    with time_machine.travel(due - timedelta(hours=2), tick=False):
        publish(title)
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        tick()
    assert [m.subject for m in sent_to("subscriber@example.com")] == [
        Send.objects.get(newsletter=digest).subject
    ]


def test_a_digest_missed_in_an_outage_is_caught_up_by_the_next(title, readers):
    digest = make_newsletter(
        title, cadence=Cadence.DAILY, created_at=timezone.now() - timedelta(days=30)
    )
    sign_up(digest, readers["free"])
    first = digest_due_at(Cadence.DAILY, timezone.now() + timedelta(days=1))
    with time_machine.travel(first - timedelta(hours=2), tick=False):
        publish(title, title="Before the first")
    with time_machine.travel(first + timedelta(minutes=1), tick=False):
        tick()
    with time_machine.travel(first + timedelta(hours=3), tick=False):
        publish(title, title="Missed day")
    # The worker is down for the whole next day; it comes back after the third digest's hour.
    with time_machine.travel(first + timedelta(days=2, minutes=1), tick=False):
        publish(title, title="Last day", publish_at=timezone.now() - timedelta(hours=2))
        tick()
    titles = [set(s.articles.values_list("title", flat=True)) for s in digest.sends.order_by("pk")]
    assert titles == [{"Before the first"}, {"Missed day", "Last day"}]


def test_the_admin_shows_each_sends_progress_with_the_suppressed_apart(client, title, readers):
    publish(title)
    tick()
    client.force_login(make_user("admin@example.com", is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:newsletters_send_changelist")).content.decode()
    counts = re.findall(r'<td class="field-(\w+)">(\d+)</td>', html)
    assert dict(counts) == {
        "sent": "4", "suppressed": "1", "skipped": "0", "failed": "0", "unconfirmed": "0",
        "waiting": "0",
    }  # fmt: skip
