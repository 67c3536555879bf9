"""`make bench`: the site against bare Django, on PostgreSQL with a large archive.

Seeds a scale database once (reused while it has the archive), starts the site and the floor
(bench/floor.py) under the same gunicorn settings, drives each page and the floor with wrk in
interleaved rounds, and reports per page the median req/s, p50/p99 latency, CPU per request
(read from the server processes' own counters) and the ratio to the floor measured in the same
round. Writes the table to docs/benchmarks.md.
"""

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import newsletter_send, webhooks

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SITE_PORT, FLOOR_PORT, FAKE_STRIPE_PORT, SMTP_SINK_PORT = 8201, 8202, 8203, 8204
REPORT = ROOT / "docs" / "benchmarks.md"


def site_env(database_url, redis_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "TASK_BACKEND": "database",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "magazine.settings",
        "PYTHONPATH": str(ROOT),
        **webhooks.stripe_env(FAKE_STRIPE_PORT),
    }


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_database(database_url):
    """Create the benchmark's database if it does not exist yet."""
    import psycopg

    url = urllib.parse.urlsplit(database_url)
    name = url.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def migrate_database(env):
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")


def prepare_database(env, args):
    """Migrate and seed the scale archive unless the database already holds it."""
    migrate_database(env)
    manage(env, "collectstatic", "--noinput", "-v0")
    probe = (
        "from magazine.models import Article;"
        "print(Article.objects.filter(slug__startswith='scale-').count())"
    )
    found = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", probe],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    if int(found) >= args.articles:
        print(f"bench: reusing the scale archive ({found} articles)")
        return
    manage(env, "seed_demo")
    manage(
        env,
        "seed_scale",
        "--articles",
        str(args.articles - int(found)),
        "--comments",
        str(args.comments),
        "--subscribers",
        str(args.subscribers),
    )


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen = None

    def pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *map(int, children.read_text().split())]

    def cpu_seconds(self):
        total = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / CLOCK_TICKS

    def worker_memory_mb(self):
        """The largest peak resident size among the workers."""
        peaks = []
        for pid in self.pids()[1:]:
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return max(peaks)


def start(name, app, port, env, args):
    command = [
        PYTHON, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--threads", str(args.threads),
        "--access-logfile", "/dev/null",
        "--error-logfile", "-",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    server = Server(name, port, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit(f"bench: {name} did not start on port {port}")


def stop(server):
    os.killpg(server.process.pid, signal.SIGTERM)
    server.process.wait(timeout=30)


def log_in(port, email, password):
    """A session cookie for `email`, through the login form like a browser."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"http://127.0.0.1:{port}/accounts/login/"
    page = opener.open(login).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {"csrfmiddlewaretoken": token, "login": email, "password": password, "remember": "on"}
    request = urllib.request.Request(
        login, urllib.parse.urlencode(data).encode(), headers={"Referer": login}
    )
    opener.open(request)
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"bench: could not log in as {email}")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float


def wrk(server, path, args, cookie=""):
    command = ["wrk", f"-t{args.threads_wrk}", f"-c{args.connections}", f"-d{args.duration}s",
               "--latency", f"http://127.0.0.1:{server.port}{path}"]  # fmt: skip
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    before = server.cpu_seconds()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - before
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"bench: {path} answered {errors.group(1)} errors:\n{output}")
    return Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=latency_ms(output, "50%"),
        p99_ms=latency_ms(output, "99%"),
        cpu_ms=cpu * 1000 / max(requests, 1),
    )


def latency_ms(output, percentile):
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


@dataclass
class Page:
    name: str
    path: str
    target: float
    cookie: str = ""
    runs: list = field(default_factory=list)
    ratios: list = field(default_factory=list)


def found_paths(env):
    """The paths `bench/pages.py` finds in the seeded database: {name: path}."""
    script = ROOT / "bench" / "pages.py"
    found = subprocess.run(
        [PYTHON, str(script)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return dict(line.split(" ", 1) for line in found.strip().splitlines())


def pages_to_measure(paths, subscriber_cookie):
    """The pages of the issue's targets."""
    return [
        Page("article, anonymous, free", paths["free"], 0.50),
        Page("article, anonymous, paywalled", paths["paywalled"], 0.50),
        # Each request a visitor's first free article: the meter read, counted, its cookie set.
        Page("article, anonymous, sampled", paths["sampled"], 0.40),
        Page("article, subscriber, whole with comments", paths["subscribed"], 0.35,
             subscriber_cookie),
        # The subscriber reading an issue as printed: the paywall asked, the PDF streamed.
        Page("digital edition (PDF), subscriber", paths["edition"], 0.30, subscriber_cookie),
        Page("publication home", paths["publication"], 0.30),
        Page("search results", paths["search"], 0.30),
        Page("feed", paths["feed"], 0.30),
    ]  # fmt: skip


def browse(server, paths, cookie):
    """Read each of `paths` for the first time, anonymously and with `cookie`, a few at a time,
    so that every worker's per-process caches are full when its memory is read. Returns the
    p95 latency of those first reads, which are rendered afresh from the database."""

    def read(path_and_cookie):
        path, with_cookie = path_and_cookie
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.port}{path}", headers={"Cookie": with_cookie}
        )
        started = time.perf_counter()
        urllib.request.urlopen(request, timeout=30).read()
        return (time.perf_counter() - started) * 1000

    work = [(path, with_cookie) for path in paths for with_cookie in ("", cookie)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        timings = list(pool.map(read, work))
    return statistics.quantiles(timings, n=20)[18]


def search_p95_ms(server, repeat=200):
    """p95 latency of `repeat` different searches (none served from a cache), end to end."""
    words = [
        "compost", "goat", "frost", "hive", "fence", "cheese", "ladder", "orchard", "flock",
        "pantry", "straw", "sleep", "harvest", "cellar", "hinge", "pasture", "bread",
    ]  # fmt: skip
    queries = [f"{a} {b}" for a in words for b in words if a < b][:repeat]
    timings = []
    for terms in queries:
        query = urllib.parse.urlencode({"q": terms})
        started = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{server.port}/search/?{query}").read()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.quantiles(timings, n=20)[18], len(timings)


def search_uses_gin_index(env):
    """Whether PostgreSQL answers a search for a rarely used word from the GIN index."""
    probe = (
        "from django.utils import timezone; from magazine.pages.search import search; "
        "print('article_search_vector' in search('sourdough', now=timezone.now()).explain())"
    )
    found = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", probe],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    return found[-1] == "True"


def report(pages, floor_runs, memory, search, hooks, mail, args):
    floor_rps = statistics.median(r.rps for r in floor_runs)
    floor_cpu = statistics.median(r.cpu_ms for r in floor_runs)
    lines = [
        "# Benchmarks",
        "",
        f"Measured {dt.date.today():%d %B %Y} by `make bench` on {cpu_model()}, "
        f"{os.cpu_count()} cores; PostgreSQL with {args.articles:,} articles, "
        f"{args.comments:,} comments and {args.subscribers:,} subscribers; Redis cache.",
        f"gunicorn: {args.workers} `{args.worker_class}` workers × {args.threads} threads; "
        f"wrk: {args.connections} connections, {args.duration} s per run, {args.rounds} "
        f"interleaved rounds (each page run right after a floor run). Medians of the rounds; "
        f"the ratio is each round's page req/s over that round's floor req/s; \"rounds\" gives "
        f"the lowest and the highest of those ratios.",
        "The floor is a bare `django-admin startproject` (its default apps and middleware) "
        'answering "hello" (`bench/floor.py`). Anonymous pages are requested without '
        "cookies, like a first visit; the subscriber's page with the demo subscriber's session, "
        "on the subscribers-only article with the longest conversation they have no part in.",
        "",
        "| page | req/s | p50 ms | p99 ms | CPU ms/request | ratio to floor | rounds | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        f'| bare Django, "hello" (the floor) | {floor_rps:,.0f} | '
        f"{statistics.median(r.p50_ms for r in floor_runs):.1f} | "
        f"{statistics.median(r.p99_ms for r in floor_runs):.1f} | {floor_cpu:.2f} | 1.00 | | | |",
    ]
    for page in pages:
        ratio = statistics.median(page.ratios)
        verdict = "meets" if ratio >= page.target else "**below**"
        lines.append(
            f"| {page.name} | {statistics.median(r.rps for r in page.runs):,.0f} | "
            f"{statistics.median(r.p50_ms for r in page.runs):.1f} | "
            f"{statistics.median(r.p99_ms for r in page.runs):.1f} | "
            f"{statistics.median(r.cpu_ms for r in page.runs):.2f} | {ratio:.2f} | "
            f"{min(page.ratios):.2f}–{max(page.ratios):.2f} | ≥ {page.target:.2f} | {verdict} |"
        )
    lines += [
        "",
        f"- Search, p95 of {search[1]} different searches, one after another, each rendered "
        f"afresh (two common words each, so most match thousands of articles): "
        f"{search[0]:.1f} ms end to end (target < 50 ms). A search for a rarely used word "
        f"is answered from the GIN index: {'yes' if search[2] else 'NO'}.",
        f"- {memory[1]:,} other articles, each read for the first time (rendered from the "
        f"database), anonymously and as the subscriber, two at a time: p95 {memory[2]:.0f} ms.",
        f"- Stripe webhooks: {hooks.events:,} events of {args.webhook_subscriptions} signups "
        f"at the fake Stripe (localstripe), posted signed, {hooks.concurrency} at a time; "
        f"{hooks.acted_on:,} acted on (each fetched again from the fake and synced under a row "
        f"lock), the rest stored: {hooks.per_second:.0f} events/s with {args.workers} workers "
        f"(target ≥ 50/s){'' if not hooks.failures else f', {hooks.failures} FAILED'}.",
        newsletter_line(mail),
        f"- Peak memory of a gunicorn worker after all this (its per-process caches full): "
        f"{memory[0]:.0f} MB (target < 200 MB).",
        "",
    ]
    text = "\n".join(lines)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    print(text)


def newsletter_line(mail):
    mix = ", ".join(f"{count:,} {newsletter_send.KINDS[kind]}" for kind, count in mail.mix.items())
    notes = [f"{mail.recipients - mail.sent:,} NOT SENT"] if mail.sent < mail.recipients else []
    if mail.received != mail.sent:
        notes.append(f"the SMTP server counted {mail.received:,}")
    if mail.caught_up:
        notes.append(f"{mail.caught_up:,} messages the database already owed went first")
    return (
        f"- Newsletter send: a subscribers-only article to {mail.recipients:,} readers ({mix}; "
        f"the paywall's rule asked for each), one `manage.py worker` with its default settings "
        f"but the rate limit (`NEWSLETTER_RATE_PER_SECOND=0`; its default, 20, is a cap a "
        f"provider sets, not a speed), a local SMTP server that keeps nothing: "
        f"{mail.per_second:.0f} messages/s from publication to the last message sent (target "
        f"≥ 150/s). Of that, {mail.waited:.1f} s went before the send started; delivering, "
        f"{mail.delivery_per_second:.0f} messages/s"
        f"{''.join(f'; {note}' for note in notes)}."
    )


def update_report_line(line, prefix="- Newsletter send:"):
    """Put `line` in the existing report, in place of the line it replaces (a row measured
    alone with `--only`)."""
    lines = REPORT.read_text(encoding="utf-8").splitlines() if REPORT.exists() else []
    kept = [existing for existing in lines if not existing.startswith(prefix)]
    at = next((i for i, text in enumerate(kept) if text.startswith("- Peak memory")), len(kept))
    REPORT.write_text("\n".join([*kept[:at], line, *kept[at:]]) + "\n", encoding="utf-8")
    print(line)


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/magazine_bench"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--comments", type=int, default=500_000)
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads-wrk", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--webhook-subscriptions", type=int, default=150)
    parser.add_argument("--newsletter-recipients", type=int, default=20_000)
    parser.add_argument(
        "--only",
        choices=["newsletters"],
        help="measure this row alone (on the migrated database, without the scale archive) "
        "and update its line in the report",
    )
    args = parser.parse_args()
    if args.only == "newsletters":
        env = site_env(args.database_url, args.redis_url)
        migrate_database(env)
        mail = newsletter_send.measure(
            ROOT, env, SMTP_SINK_PORT, recipients=args.newsletter_recipients
        )
        update_report_line(newsletter_line(mail))
        return
    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is not installed (make bench installs it with apt-get)")

    env = site_env(args.database_url, args.redis_url)
    prepare_database(env, args)
    site = start("site", "magazine.wsgi", SITE_PORT, env, args)
    floor = start("floor", "bench.floor", FLOOR_PORT, env, args)
    try:
        cookie = log_in(SITE_PORT, "subscriber@example.com", "magazine-demo")
        paths = found_paths(env)
        pages = pages_to_measure(paths, cookie)
        for page in pages:  # warm every cache once, as a running site would be
            wrk(site, page.path, argparse.Namespace(**{**vars(args), "duration": 1}), page.cookie)
        floor_runs = []
        for round_number in range(1, args.rounds + 1):
            for page in pages:
                floor_run = wrk(floor, "/", args)
                run = wrk(site, page.path, args, page.cookie)
                floor_runs.append(floor_run)
                page.runs.append(run)
                page.ratios.append(run.rps / floor_run.rps)
                print(f"round {round_number}: {page.name}: {run.rps:,.0f} req/s, "
                      f"floor {floor_run.rps:,.0f}, ratio {page.ratios[-1]:.2f}")  # fmt: skip
        search_ms, searches = search_p95_ms(site)
        gin = search_uses_gin_index(env)
        browsed = paths["browse"].split()
        first_reads_ms = browse(site, browsed, cookie)
        memory = (site.worker_memory_mb(), len(browsed), first_reads_ms)
        hooks = webhooks.measure(
            ROOT, env, SITE_PORT, FAKE_STRIPE_PORT, subscriptions=args.webhook_subscriptions
        )
        mail = newsletter_send.measure(
            ROOT, env, SMTP_SINK_PORT, recipients=args.newsletter_recipients
        )
        report(pages, floor_runs, memory, (search_ms, searches, gin), hooks, mail, args)
    finally:
        stop(site)
        stop(floor)


if __name__ == "__main__":
    main()
