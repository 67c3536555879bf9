"""Production settings come from the environment and pass Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kq!2v9@p1-long-random-production-secret-for-the-deploy-check-0042",
    "ALLOWED_HOSTS": "magazine.example",
}


def manage(*args, env):
    inherited = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env={"DEBUG": "false", "ALLOWED_HOSTS": "magazine.example"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_session_cookies_are_secure_httponly_and_lax():
    probe = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE)"
    )
    result = manage("shell", "-c", probe, env=PRODUCTION_ENV)
    assert result.stdout.split()[-4:] == ["True", "True", "Lax", "True"], result.stderr


def test_production_asks_for_hsts_preloading_only_when_told():
    probe = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS > 0, s.SECURE_HSTS_PRELOAD)"
    )
    result = manage("shell", "-c", probe, env=PRODUCTION_ENV)
    assert result.stdout.split()[-2:] == ["True", "False"], result.stderr
    result = manage("shell", "-c", probe, env={**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "true"})
    assert result.stdout.split()[-2:] == ["True", "True"], result.stderr


def test_in_production_healthz_answers_over_plain_http_and_pages_redirect():
    probe = (
        "from django.test import Client; c = Client(); "
        "print(c.get('/healthz').status_code, c.get('/robots.txt').status_code)"
    )
    env = {**PRODUCTION_ENV, "ALLOWED_HOSTS": "testserver", "DATABASE_URL": "sqlite://:memory:"}
    result = manage("shell", "-c", probe, env=env)
    assert result.stdout.split()[-2:] == ["200", "301"], result.stderr


def test_the_test_payment_provider_refuses_to_run_in_production_unless_allowed():
    refused = manage("check", env={**PRODUCTION_ENV, "BILLING_PROVIDER": "test"})
    assert refused.returncode != 0
    assert "The test billing provider takes no money" in refused.stderr
    allowed = {
        **PRODUCTION_ENV,
        "BILLING_PROVIDER": "test",
        "BILLING_TEST_PROVIDER_ALLOWED": "true",
    }
    assert manage("check", env=allowed).returncode == 0


def test_production_takes_no_payment_online_until_a_provider_is_chosen():
    probe = "from django.conf import settings as s; print(s.BILLING_PROVIDER)"
    assert manage("shell", "-c", probe, env=PRODUCTION_ENV).stdout.split()[-1] == "manual"


def test_selling_through_stripe_without_its_keys_fails_the_checks():
    result = manage("check", env={**PRODUCTION_ENV, "BILLING_PROVIDER": "stripe"})
    assert result.returncode != 0
    assert "STRIPE_SECRET_KEY is not set" in result.stderr
    assert "STRIPE_WEBHOOK_SECRET is not set" in result.stderr
    ready = {**PRODUCTION_ENV, "BILLING_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_live_x",
             "STRIPE_WEBHOOK_SECRET": "whsec_x"}  # fmt: skip
    assert manage("check", env=ready).returncode == 0


EMAIL_PROBE = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps([s.EMAIL_BACKEND, s.ANYMAIL]))"
)


def email_settings(**env):
    result = manage("shell", "-c", EMAIL_PROBE, env={**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_an_email_provider_is_named_and_its_key_goes_where_anymail_reads_it():
    backend, anymail = email_settings(
        EMAIL_PROVIDER="postmark", ANYMAIL_API_KEY="server-token", ANYMAIL_WEBHOOK_SECRET="a:b"
    )
    assert backend == "anymail.backends.postmark.EmailBackend"
    assert anymail == {"POSTMARK_SERVER_TOKEN": "server-token", "WEBHOOK_SECRET": ["a:b"]}
    backend, anymail = email_settings(
        EMAIL_PROVIDER="mailgun", ANYMAIL_API_KEY="key", ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY="sig"
    )
    assert backend == "anymail.backends.mailgun.EmailBackend"
    assert anymail["MAILGUN_API_KEY"] == "key"
    assert anymail["MAILGUN_WEBHOOK_SIGNING_KEY"] == "sig"


def test_without_an_email_provider_mail_goes_by_smtp_and_email_backend_always_wins():
    assert email_settings()[0] == "django.core.mail.backends.smtp.EmailBackend"
    chosen = "django.core.mail.backends.locmem.EmailBackend"
    assert email_settings(EMAIL_PROVIDER="postmark", EMAIL_BACKEND=chosen)[0] == chosen


def test_an_unknown_email_provider_is_refused():
    result = manage("check", env={**PRODUCTION_ENV, "EMAIL_PROVIDER": "pigeon"})
    assert result.returncode != 0
    assert "EMAIL_PROVIDER must be one of postmark" in result.stderr


def test_a_provider_without_a_webhook_secret_fails_the_deploy_check():
    env = {**PRODUCTION_ENV, "EMAIL_PROVIDER": "postmark", "ANYMAIL_API_KEY": "server-token"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "outbox.W001" in result.stderr
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={**env, "ANYMAIL_WEBHOOK_SECRET": "hook:secret"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
