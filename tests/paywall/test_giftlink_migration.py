"""Gift links given while they belonged to the sharing app keep working after the move."""

import pytest
from django.core.signing import Signer
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from paywall import gifts
from paywall.models import GiftLink
from tests.factories import make_article, make_user

BEFORE = [("paywall", "0001_initial"), ("sharing", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_gift_link_given_before_the_move_still_opens_its_article(client):
    article, giver = make_article(), make_user()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old_apps = migrate(BEFORE)
        OldGiftLink = old_apps.get_model("sharing", "GiftLink")
        ContentType = old_apps.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label="paywall", model="giftlink").delete()
        old_type = ContentType.objects.get_or_create(app_label="sharing", model="giftlink")[0]
        old = OldGiftLink.objects.create(
            article_id=article.pk,
            giver_id=giver.pk,
            giver_name="Ann",
            expires_at=timezone.now() + timezone.timedelta(days=3),
        )
        # A token as the sharing app signed it, in an email sent before the move.
        token = Signer(salt="sharing.gift-link").sign(str(old.pk))
    finally:
        migrate(latest)
    link = GiftLink.objects.get(pk=old.pk)
    assert link.giver_name == "Ann"
    assert gifts.link_for_token(token) == link
    moved = ContentType.objects.get(pk=old_type.pk)
    assert (moved.app_label, moved.model) == ("paywall", "giftlink")
