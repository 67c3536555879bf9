"""Every absolute link the site writes is on SITE_URL, whatever it was built from."""

import pytest

from magazine.site import absolute_url, on_site


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://evil.example/accounts/password/reset/key/1-x/",
         "https://magazine.example/accounts/password/reset/key/1-x/"),
        ("//evil.example/x?next=/y#top", "https://magazine.example/x?next=/y#top"),
        (".evil.example/x", "https://magazine.example/.evil.example/x"),
        ("https:.evil.example/x", "https://magazine.example/.evil.example/x"),
        ("javascript:alert(1)", "https://magazine.example/alert(1)"),
        ("", "https://magazine.example/"),
    ],
)  # fmt: skip
def test_a_link_built_from_a_request_is_put_on_the_sites_address(url, expected):
    assert on_site(url) == expected


def test_a_path_without_its_slash_stays_on_the_site():
    assert absolute_url("media/a.jpg") == "https://magazine.example/media/a.jpg"
    assert absolute_url("https://cdn.example/a.jpg") == "https://cdn.example/a.jpg"
