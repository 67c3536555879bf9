"""gunicorn's settings for `make serve`, from the environment."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Recycle workers now and then so slow memory growth can never add up.
max_requests = 20_000
max_requests_jitter = 2_000
timeout = 30
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
