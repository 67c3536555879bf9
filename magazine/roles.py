"""The staff roles, as Django groups: Writers draft and submit; Editors also publish and
moderate comments; Publishers sell: prices, comps, payments, refunds and the revenue page."""

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

WRITERS = "Writers"
EDITORS = "Editors"
PUBLISHERS = "Publishers"

WRITER_PERMISSIONS = [
    "magazine.add_article",
    "magazine.change_article",
    "magazine.view_article",
    "magazine.add_author",
    "magazine.change_author",
    "magazine.view_author",
    "magazine.add_tag",
    "magazine.view_tag",
    "magazine.view_publication",
    "magazine.view_section",
    "magazine.view_issue",
]
EDITOR_PERMISSIONS = [
    *WRITER_PERMISSIONS,
    "magazine.publish_article",
    "magazine.delete_article",
    "magazine.change_tag",
    "magazine.delete_tag",
    "magazine.add_section",
    "magazine.change_section",
    "magazine.add_issue",
    "magazine.change_issue",
    "magazine.change_publication",
    "sharing.view_share",
    "sharing.view_sharedarticle",
    "paywall.view_giftlink",
    "paywall.change_giftlink",
    "comments.view_comment",
    "comments.change_comment",
    "comments.delete_comment",
    "comments.view_ban",
    "comments.add_ban",
    "comments.change_ban",
    "comments.delete_ban",
    "comments.view_commentsettings",
    "comments.add_commentsettings",
    "comments.change_commentsettings",
    "newsletters.view_newsletter",
    "newsletters.change_newsletter",
    "newsletters.view_send",
    "newsletters.control_send",
]

PUBLISHER_PERMISSIONS = [
    "magazine.view_publication",
    "accounts.view_user",  # to choose whom a complimentary subscription or an edition is for
    "paywall.view_plan",
    "paywall.change_plan",
    "paywall.view_subscription",
    "paywall.add_subscription",
    "paywall.change_subscription",
    "billing.view_price",
    "billing.add_price",
    "billing.change_price",
    "billing.view_paidsubscription",
    "billing.change_paidsubscription",
    "billing.view_payment",
    "billing.add_payment",
    "billing.change_payment",
    "billing.view_webhookevent",
    "billing.change_webhookevent",
    "billing.view_giftsubscription",
    "billing.change_giftsubscription",
    "billing.view_customer",
    "billing.view_singleissueprice",
    "billing.add_singleissueprice",
    "billing.change_singleissueprice",
    "billing.view_editionorder",
    "paywall.view_editionaccess",
    "paywall.add_editionaccess",
    "paywall.change_editionaccess",
    "newsletters.view_newsletter",
    "newsletters.add_newsletter",
    "newsletters.change_newsletter",
    "newsletters.view_signup",
    "newsletters.delete_signup",
    "newsletters.view_send",
    "newsletters.control_send",
    "print_readers.view_printsubscriber",
    "print_readers.add_printsubscriber",
    "print_readers.change_printsubscriber",
    "print_readers.view_printlink",
    "print_readers.change_printlink",
    "outbox.view_suppression",
    "outbox.add_suppression",
    "outbox.change_suppression",
    "outbox.delete_suppression",
]

ROLES = {
    WRITERS: WRITER_PERMISSIONS,
    EDITORS: EDITOR_PERMISSIONS,
    PUBLISHERS: PUBLISHER_PERMISSIONS,
}


def permissions(names):
    pairs = [name.split(".", 1) for name in names]
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in pairs},
        codename__in={codename for _, codename in pairs},
    ).select_related("content_type")
    return [p for p in found if [p.content_type.app_label, p.codename] in pairs]


def ensure_staff_groups(app_config=None, using=DEFAULT_DB_ALIAS, **kwargs):
    """Create or update the staff groups (run after every migrate)."""
    if app_config is not None:
        # post_migrate can reach this before auth has made the migrated app's permissions.
        create_permissions(app_config, verbosity=0, using=using)
    for name, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions(names))
