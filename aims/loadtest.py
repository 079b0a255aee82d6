"""The load test of `manage.py bench --only load`: many people at once against the server as deployed.

gunicorn runs as docker-compose runs it (production settings, 4 workers of one thread) on the bench's
database; locust (aims/locustfile.py) sends people who each sign in as a different user of the volume data
and visit the screens of a mix the apps give (lifecycle/bench.py), waiting 0.5-1.5 s between screens.
Reported per run: requests per second, median and 95th percentile, errors, and the CPU time the web
processes spent per request (read from /proc, so the cost of a request is seen apart from the machine's
other load), and the load generator's own, which shares the machine. The core names no register: the mix
is the caller's."""

import csv
import hashlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client, RequestFactory
from django.utils.crypto import get_random_string

from aims import roles

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# As docker-compose.yml and the Dockerfile run it. gthread with one thread: one request at a time per
# process, kept-alive connections held by its poller meanwhile (the sync worker closes each one).
GUNICORN = ["--workers", "4", "--threads", "1", "--worker-class", "gthread"]
WARMUP_SECONDS = 10


@dataclass(frozen=True)
class Screen:
    """One thing a person opens: `variants` are alternative request sequences (one risk or another),
    each a list of paths requested in order (a dashboard is its shell, then its panels)."""

    name: str
    weight: int
    variants: list[list[str]]


def _ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, its reaped children included."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return sum(int(v) for v in fields[11:15]) / _ticks()  # utime stime cutime cstime


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = task / "children"
        if children.exists():
            found += [int(p) for p in children.read_text().split()]
    return found


def _web_cpu(master: int) -> float:
    return _process_cpu(master) + sum(_process_cpu(child) for child in _children(master))


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / _ticks(), sum(values) / _ticks()


def _children_cpu() -> float:
    """CPU seconds used by this process's finished children: the load generator's own cost, run after run."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _database_url() -> str:
    """The database this process uses (under pytest, its test database), for the server to use too."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("The load test runs against PostgreSQL, as production does.")
    auth = db["USER"] + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, cookie: str | None = None) -> int:
    headers = {"X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class Server:
    """gunicorn with production settings on a free local port, for the length of a `with` block."""

    def __init__(self, workdir: Path, **env):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "aims.settings.production",
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions below are signed with it
            "DATABASE_URL": _database_url(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(Path(settings.VAR_DIR) / "load-static"),
            **env,
        }
        self.log = workdir / "gunicorn.log"

    def _collect_static(self):
        """Production serves hashed, compressed static files, so pages need collectstatic's manifest. It
        takes some 20 s (compression), so it runs again only when a source file changed."""
        from django.contrib.staticfiles.finders import get_finders

        root = Path(self.env["STATIC_ROOT"])
        sources = sorted(
            (path, storage.path(path))
            for finder in get_finders() for path, storage in finder.list(["CVS", ".*", "*~"])
        )  # fmt: skip
        digest = hashlib.sha256()
        for path, full in sources:
            stat = os.stat(full)
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        stamp = root / ".sources"
        if stamp.exists() and stamp.read_text() == digest.hexdigest():
            return
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR, env=self.env, check=True,
        )  # fmt: skip
        stamp.write_text(digest.hexdigest())

    def __enter__(self):
        self._collect_static()
        command = [sys.executable, "-m", "gunicorn", "aims.wsgi:application", "--bind",
                   f"127.0.0.1:{self.port}", *GUNICORN]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log}")
            try:
                if _get(f"{self.url}/healthz") == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s: see {self.log}")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def sessions_for(people) -> list[str]:
    """A signed-in session per person, made as the sign-in view makes it (signals included), with the
    second factor used, as production's board and AIMS managers must (aims.mfa)."""
    cookies = []
    for person in people:
        client = Client()
        client.force_login(person)
        request = RequestFactory().get("/")
        request.session = client.session
        record_authentication(request, person, "mfa", type="totp")
        request.session.save()
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return cookies


def _check(server: Server, mix: list[Screen], people, cookies: list[str]):
    """Every screen answers 200 for one person of each set of roles, before anything is timed: a load
    test of error pages would measure nothing."""
    seen = set()
    for person, cookie in zip(people, cookies, strict=True):
        roles = frozenset(person.groups.values_list("name", flat=True))
        if roles in seen:
            continue
        seen.add(roles)
        for screen in mix:
            for path in screen.variants[0]:
                status = _get(server.url + path, cookie)
                if status != 200:
                    raise RuntimeError(f"{screen.name}: {path} answers {status} for {person.username}")


def _profiler(server: Server, seconds: int, profile: Path | None):
    """py-spy sampling every web process through one run (collapsed stacks: flamegraph.pl or speedscope
    read them), when asked with --load-profile: where the CPU of a request goes under load."""
    if profile is None:
        return None
    profile.mkdir(parents=True, exist_ok=True)
    command = [str(Path(sys.executable).with_name("py-spy")), "record", "--subprocesses", "--format", "raw", "--rate", "200", "--nonblocking",
               "-d", str(seconds), "-o", str(profile / "web.txt"), "-p", str(server.process.pid)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _locust(server: Server, plan: dict, users: int, seconds: int, workdir: Path, profile=None) -> dict:
    prefix = workdir / f"locust-{users}"
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
               "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--stop-timeout", "5",
               "--host", server.url, "--csv", str(prefix), "--loglevel", "WARNING"]  # fmt: skip
    env = {**os.environ, "AIMS_LOAD_PLAN": json.dumps(plan)}
    web_before, (busy_before, total_before) = _web_cpu(server.process.pid), _machine_cpu()
    locust_before = _children_cpu()
    profiler = _profiler(server, seconds, profile)
    done = subprocess.run(
        command, env=env, check=False, capture_output=True, text=True, timeout=seconds + 120
    )
    if not Path(f"{prefix}_stats.csv").exists():  # locust exits 1 when requests failed; that is a result
        raise RuntimeError(f"locust made no report (exit {done.returncode}): {done.stderr[-2000:]}")
    web_after, (busy_after, total_after) = _web_cpu(server.process.pid), _machine_cpu()
    locust_cpu = _children_cpu() - locust_before
    if profiler:
        profiler.wait(timeout=60)
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    with open(f"{prefix}_failures.csv", newline="") as f:  # why requests failed, so a run says it
        failures = [f"{r['Occurrences']}x {r['Name']}: {r['Error']}" for r in csv.DictReader(f)]
    return {
        "rows": rows,
        "failures": failures,
        "web_cpu_s": web_after - web_before,
        "locust_cpu_s": locust_cpu,
        "machine_busy": (busy_after - busy_before) / max(total_after - total_before, 1e-9),
    }


# Each run is made twice: with pages drawn afresh for every request, then with what aims.freshness keeps
# per person until anything is written. The mix reads only, so the second is the best case of a busy hour
# with no edits; the first is the floor when edits come often enough to keep nothing.
CONFIGURATIONS = (("drawn afresh", {"AIMS_KEEP_PAGES": "false"}), ("kept pages", {"AIMS_KEEP_PAGES": "true"}))


def run_load(bench, mix: list[Screen], people, *, users=(50, 100), seconds=60, targets=None, profile=None,
             configurations=CONFIGURATIONS, alone=()):  # fmt: skip
    """Run the mix at each number of simultaneous users, in each configuration, and add a row per run to
    the bench's table (and one per screen, so the screen that costs most is found). `targets` maps a
    number of users to the p95 (ms) it must stay under. `profile` (a folder) samples the web processes
    through the first run. `alone`: (name, path, under_ms) answers timed for one person alone through the
    same server, in the first configuration, before anyone else comes (a reference measured the same way)."""
    people = list(people)[: max(users)]
    if not people:
        raise RuntimeError("No active users to sign the load test's people in as: run seed_scale.")
    cookies = sessions_for(people)
    plan = {"mix": [asdict(s) for s in mix], "sessions": cookies, "cookie_name": settings.SESSION_COOKIE_NAME,
            "csrf": [get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS) for _ in cookies],
            "csrf_cookie_name": settings.CSRF_COOKIE_NAME}  # fmt: skip
    # One person alone is timed as the board, who sees every record.
    board = [c for p, c in zip(people, cookies, strict=True) if p.groups.filter(name=roles.BOARD).exists()]
    board_cookie = (board or cookies)[0]
    connection.close()  # the bench's own connection idles through the run
    for label, env in configurations:
        with tempfile.TemporaryDirectory(prefix="aims-load-") as tmp, Server(Path(tmp), **env) as server:
            _check(server, mix, people, cookies)
            if label == configurations[0][0]:
                for name, path, under_ms in alone:
                    _time_alone(bench, server, f"{name}, {label}", path, board_cookie, under_ms)
            warmup = min(WARMUP_SECONDS, seconds)
            _locust(server, plan, min(users), warmup, Path(tmp))  # imports, caches, connections
            for count in users:
                result = _locust(server, plan, count, seconds, Path(tmp), profile)
                profile = None
                _report(bench, count, seconds, result, mix, (targets or {}).get(count), label)


def _time_alone(bench, server: Server, name: str, path: str, cookie: str, under_ms: float):
    from aims.bench import stats, verdict

    def fetch():
        if _get(server.url + path, cookie) != 200:
            raise RuntimeError(f"{name}: {path} does not answer 200")

    for _ in range(bench.warmup):
        fetch()
    samples = []
    for _ in range(bench.repeat):
        started = time.perf_counter()
        fetch()
        samples.append(time.perf_counter() - started)
    median, p95 = stats(samples)
    row = {"median_ms": median, "p95_ms": p95}
    bench.add(name, url=path, target=verdict(row, under_ms=under_ms), note="one person, through gunicorn "
              "over HTTP", **row)  # fmt: skip


def _report(bench, users: int, seconds: int, result: dict, mix: list[Screen], target, label: str):
    total = result["rows"]["Aggregated"]
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    p95 = float(total["95%"])
    verdict = (
        f"p95 < {target} ms, no errors: {'met' if p95 < target and not failures else 'NOT met'}"
        if target
        else None
    )
    bench.add(
        f"load: {users} users, {seconds} s, {label}",
        rows=requests,
        median_ms=float(total["50%"]),
        p95_ms=p95,
        note=f"{float(total['Requests/s']):.1f} requests/s, {failures} errors, web CPU "
        f"{1000 * result['web_cpu_s'] / max(requests, 1):.1f} ms per request, machine "
        f"{100 * result['machine_busy']:.0f}% busy, load generator "
        f"{1000 * result['locust_cpu_s'] / max(requests, 1):.1f} ms per request",
        target=verdict,
        failures=result["failures"],
    )
    for failure in result["failures"][:5]:
        bench.stdout.write(f"load {users}, {label}: failed {failure}")
    for screen in mix:
        row = result["rows"].get(screen.name)
        if row:
            bench.add(f"load {users}, {label}: {screen.name}", rows=int(row["Request Count"]),
                      median_ms=float(row["50%"]), p95_ms=float(row["95%"]),
                      note=f"{int(row['Failure Count'])} errors")  # fmt: skip
