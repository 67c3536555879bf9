"""/healthz tells a load balancer whether this server can serve, and nothing more."""

import json

import pytest
from django.db import OperationalError
from django.test import Client

from magazine.pages import health

pytestmark = pytest.mark.django_db


def test_a_healthy_server_says_ok_for_each_part():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_without_its_database_the_server_is_unavailable(monkeypatch):
    def gone(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused (10.0.0.5)")

    monkeypatch.setattr(health.connection, "cursor", gone)
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.content.decode()
    assert json.loads(body)["database"] == "unavailable"
    assert "10.0.0.5" not in body and "refused" not in body  # nothing about the machines


def test_without_its_cache_the_server_is_degraded_but_serving(own_redis, redis_cache, monkeypatch):
    monkeypatch.setattr(health, "cache", redis_cache())
    own_redis.stop()
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
    }
