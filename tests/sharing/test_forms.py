"""The share form refuses what could turn the site into a relay: bad addresses, forged headers,
too many friends, robots; and offers gift links only as far as the allowance goes."""

import pytest

from sharing.forms import ShareForm

VALID = {
    "to": "friend@example.com",
    "sender_name": "Ann Example",
    "sender_email": "ann@example.com",
    "note": "",
    "website": "",
}


def form(data=None, *, max_recipients=5, gifts_left=None, sender_email="ann@example.com", **fields):
    return ShareForm(
        {**VALID, **fields} if data is None else data,
        max_recipients=max_recipients,
        sender_email=sender_email,
        gifts_left=gifts_left,
    )


def test_addresses_separated_by_commas_become_a_list_without_repeats():
    f = form(to="a@example.com, b@example.com,c@example.com , A@example.com")
    assert f.is_valid(), f.errors
    assert f.cleaned_data["to"] == ["a@example.com", "b@example.com", "c@example.com"]


def test_every_invalid_address_is_named_in_the_errors():
    f = form(to="good@example.com, bob@, not an address")
    assert not f.is_valid()
    errors = f.errors["to"]
    assert "“bob@” is not a valid email address." in errors
    assert "“not” is not a valid email address." in errors
    assert not any("good@example.com" in error for error in errors)


def test_a_share_needs_at_least_one_address():
    f = form(to=" , ")
    assert not f.is_valid()
    assert f.errors["to"] == ["This field is required."]


def test_more_friends_than_allowed_are_refused():
    f = form(to=",".join(f"f{n}@example.com" for n in range(6)), max_recipients=5)
    assert not f.is_valid()
    assert f.errors["to"] == ["You can send this to at most 5 friends at once."]
    assert form(to=",".join(f"f{n}@example.com" for n in range(5))).is_valid()


@pytest.mark.parametrize("field", ["to", "sender_name"])
@pytest.mark.parametrize(
    "injection",
    [
        "\r\nBcc: victim@example.com",
        "\nBcc: victim@example.com",
        "\rX-Spam: 1",
        "\u2028Bcc: v@x.io",
    ],
)
def test_line_breaks_in_fields_that_reach_a_header_are_refused(field, injection):
    f = form(**{field: VALID[field] + injection})
    assert not f.is_valid()
    assert f.errors[field] == ["Line breaks aren’t allowed here: use one line."]


def test_a_line_break_at_the_end_is_refused_not_silently_trimmed():
    f = form(sender_name="Ann Example\r\n")
    assert not f.is_valid()
    assert "sender_name" in f.errors


def test_the_senders_address_is_their_accounts_whatever_is_posted():
    f = form({**VALID, "sender_email": "ceo@bank.example"}, sender_email="ann@example.com")
    assert f.is_valid(), f.errors
    assert f.cleaned_data["sender_email"] == "ann@example.com"


def test_a_sender_without_an_account_gives_no_address_to_reply_to():
    f = form(sender_email=None)
    assert f.is_valid(), f.errors
    assert "sender_email" not in f.cleaned_data


def test_the_note_may_have_several_lines(settings):
    f = form(note="Dear Bo,\r\nread this.\r\n\r\nAnn")
    assert f.is_valid(), f.errors
    assert f.cleaned_data["note"] == "Dear Bo,\nread this.\n\nAnn"


def test_a_note_longer_than_the_setting_is_refused(settings):
    settings.SHARING_NOTE_MAX_LENGTH = 20
    assert form(note="x" * 20).is_valid()
    f = form(note="x" * 21)
    assert not f.is_valid()
    assert "at most 20 characters" in f.errors["note"][0]


def test_a_filled_in_honeypot_marks_the_form_as_from_a_robot():
    human, robot = form(), form(website="https://spam.example")
    assert human.is_valid() and robot.is_valid()
    assert not human.is_from_a_robot
    assert robot.is_from_a_robot


def test_without_a_gift_allowance_the_form_has_no_gift_box():
    f = form(gift="on")
    assert "gift" not in f.fields
    assert f.is_valid()
    assert "gift" not in f.cleaned_data


def test_the_gift_box_says_how_many_gifts_are_left_this_month(settings):
    settings.SHARING_GIFT_DAYS = 7
    help_text = form(gifts_left=7).fields["gift"].help_text
    assert help_text.startswith("7 gifts left this month.")
    assert "for 7 days, without an account" in help_text
    assert form(gifts_left=1).fields["gift"].help_text.startswith("1 gift left this month.")


def test_with_no_gifts_left_the_box_is_disabled_and_ticking_it_gives_nothing():
    f = form(gifts_left=0, gift="on")
    assert f.fields["gift"].disabled
    assert "all your gifts this month" in f.fields["gift"].help_text
    assert f.is_valid()
    assert f.cleaned_data["gift"] is False


def test_gifts_to_more_friends_than_gifts_left_are_refused():
    f = form(gifts_left=2, gift="on", to="a@example.com, b@example.com, c@example.com")
    assert not f.is_valid()
    assert f.errors["gift"] == [
        "You have 2 gifts left this month: send to fewer friends, or untick this box."
    ]
    assert form(gifts_left=2, gift="on", to="a@example.com, b@example.com").is_valid()
