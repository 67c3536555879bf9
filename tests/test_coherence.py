"""Without Redis, two app servers and the command line still make one site: a change made through
any of them — the admin on one server, a management command — is seen by the next request to
the other, cached pages and all.

Real gunicorn processes with production settings, on an SQLite database of their own (the
embedded default) and its database cache, which every process shares.
"""

import pytest

from tests.servers import AppServers, Browser, manage, production_env

DEMO_PASSWORD = "magazine-demo"
HIDDEN = "COHERENCE-SECRET: only subscribers read this paragraph."
ARTICLE = "/homestead/coherence-test/"
CREATE_ARTICLE = f"""
from magazine.models import Article, Publication
homestead = Publication.objects.get(slug="homestead")
Article.objects.create(
    publication=homestead, section=homestead.sections.first(), title="Coherence test",
    slug="coherence-test", access="free", status="published",
    body="A free paragraph.\\n\\n<!-- more -->\\n\\n{HIDDEN}",
)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coherence")
    env = production_env(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}", STATIC_ROOT=str(folder / "static")
    )
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"],
                    ["seed_demo"], ["shell", "-c", CREATE_ARTICLE]):  # fmt: skip
        manage(env, *command)
    app = AppServers(env)
    try:
        yield env, app.start()
    finally:
        app.close()


def shell(env, code):
    manage(env, "shell", "-c", code)


def set_access(env, access):
    shell(
        env,
        "from magazine.models import Article; a = Article.objects.get(slug='coherence-test'); "
        f"a.access = '{access}'; a.save()",
    )


def test_a_command_that_walls_an_article_walls_it_on_every_server_at_once(site):
    env, (first, second) = site
    set_access(env, "free")
    visitor = Browser()
    for server in (first, second, first, second):  # each one's rendering cached
        assert HIDDEN in visitor.get(f"{server}{ARTICLE}")
    set_access(env, "subscribers")
    for server in (first, second):
        html = visitor.get(f"{server}{ARTICLE}")
        assert HIDDEN not in html
        assert "You are trying to access subscribers-only content" in html


def test_an_article_unpublished_in_the_admin_of_one_server_is_gone_from_the_other(site):
    env, (first, second) = site
    set_access(env, "free")
    visitor = Browser()
    assert visitor.open(f"{second}{ARTICLE}")[0] == 200
    editor = Browser()
    editor.log_in(first, "editor@example.com", DEMO_PASSWORD)
    changelist = f"{first}/admin/magazine/article/"
    pk = editor.get(f"{changelist}?q=coherence").split('name="_selected_action" value="')[1]
    editor.post(changelist, {"action": "unpublish", "_selected_action": pk.split('"')[0]})
    try:
        assert visitor.open(f"{second}{ARTICLE}")[0] == 404
    finally:
        shell(
            env,
            "from magazine.models import Article; a = Article.objects.get(slug='coherence-test'); "
            "a.status = 'published'; a.save()",
        )


def test_a_subscription_granted_then_cancelled_on_the_command_line(site):
    env, (first, second) = site
    set_access(env, "subscribers")
    reader = Browser()
    reader.log_in(first, "reader@example.com", DEMO_PASSWORD)
    assert HIDDEN not in reader.get(f"{second}{ARTICLE}")
    manage(env, "grant_subscription", "reader@example.com", "homestead", "--until", "2099-12-31")
    for server in (first, second):
        assert HIDDEN in reader.get(f"{server}{ARTICLE}")
    shell(
        env,
        "from paywall.models import Subscription; from paywall.subscriptions import cancel; "
        "[cancel(subscription=s) for s in "
        "Subscription.objects.filter(user__email='reader@example.com')]",
    )
    for server in (first, second):
        assert HIDDEN not in reader.get(f"{server}{ARTICLE}")


def test_logging_out_on_one_server_logs_out_on_the_other(site):
    _, (first, second) = site
    reader = Browser()
    reader.log_in(first, "reader@example.com", DEMO_PASSWORD)
    assert "reader@example.com" in reader.get(f"{second}/accounts/")
    reader.post(f"{first}/accounts/logout/", {}, form_page=f"{first}/accounts/")
    for server in (first, second):
        assert "reader@example.com" not in reader.get(f"{server}/accounts/")


def test_log_out_everywhere_else_reaches_the_other_server(site):
    _, (first, second) = site
    here, elsewhere = Browser(), Browser()
    here.log_in(first, "subscriber@example.com", DEMO_PASSWORD)
    elsewhere.log_in(second, "subscriber@example.com", DEMO_PASSWORD)
    assert "subscriber@example.com" in elsewhere.get(f"{second}/accounts/")
    here.post(f"{first}/accounts/sessions/", {}, form_page=f"{first}/accounts/")
    assert "subscriber@example.com" not in elsewhere.get(f"{second}/accounts/")
    assert "subscriber@example.com" in here.get(f"{second}/accounts/")


@pytest.mark.parametrize(
    ("email", "change"),
    [
        ("changing@example.com", "u.set_password('another secret phrase')"),
        ("leaving@example.com", "u.is_active = False"),
    ],
    ids=["password changed", "deactivated"],
)
def test_a_change_to_the_account_on_the_command_line_ends_its_sessions_everywhere(
    site, email, change
):
    env, (first, second) = site
    shell(
        env,
        f"from accounts.models import User; User.objects.create_user(email='{email}', "
        f"password='{DEMO_PASSWORD}')",
    )
    reader = Browser()
    reader.log_in(first, email, DEMO_PASSWORD)
    assert email in reader.get(f"{second}/accounts/")
    shell(env, f"from accounts.models import User; u = User.objects.get(email='{email}'); "
               f"{change}; u.save()")  # fmt: skip
    for server in (first, second):
        assert email not in reader.get(f"{server}/accounts/")


def test_a_print_subscription_linked_on_one_server_and_lapsed_by_an_import(site, tmp_path):
    env, (first, second) = site
    set_access(env, "subscribers")
    reader = Browser()
    reader.log_in(first, "reader@example.com", DEMO_PASSWORD)
    assert HIDDEN not in reader.get(f"{second}{ARTICLE}")
    reader.post(
        f"{first}/accounts/print/",
        {"publication": "homestead", "account_number": "HA-100234", "postcode": "05753"},
    )
    for server in (first, second):
        assert HIDDEN in reader.get(f"{server}{ARTICLE}")
    lapsed = tmp_path / "lapsed.csv"
    lapsed.write_text(
        "account_number,postcode,name,email,starts,expires,status\n"
        "HA-100234,05753,Fern Arable,,2025-01-01,2099-12-31,lapsed\n",
        encoding="utf-8",
    )
    manage(env, "import_print_subscribers", str(lapsed), "--publication", "homestead")
    for server in (first, second):
        assert HIDDEN not in reader.get(f"{server}{ARTICLE}")
