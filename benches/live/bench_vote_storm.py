"""`make bench-vote-storm`: 1,000 WebSocket followers of a live assembly, 500 of them
verified residents who vote within 20 s through the real endpoint; then staff close the
poll over the staff WebSocket path.

    .venv/bin/python benches/live/bench_vote_storm.py --followers 1000 --voters 500 --spread 20

Reports per case: vote acceptance latency (vote sent to its answer) p50/p99; tally freshness
(from a vote's answer to the first tally frame, at each follower, whose counts include it;
conservative: a vote counts as included once a tally's total reaches the total in the
vote's own answer); tally frames per second; whether every follower holds the same final
tally within 1 s of the close; accepted votes == ballot rows == final tally total.

Cases, in the same run: "coalesced" (the code as it is: each voter is one of the followers
and votes over its own socket, frame `vote`, as live.js does while the socket is open);
"coalesced-form" (the same code, votes posted to the vote form's URL as without the socket:
a request each, from a pool of --http-threads, with the voter's session and CSRF cookie and
token); the baseline "per-ballot" (ballot_cast as before coalescing: one exclusive lock and
one event per ballot, benches/live/storm_asgi.py; votes over the socket). Everything on
127.0.0.1: one worker started by deploy/asgi-worker (the README's production command) with
production settings, the Redis channel layer and cache (REDIS_URL, db 4 by default; flushed
per case), PostgreSQL (BENCH_DATABASE_URL, default a database qd_bench_storm created on
127.0.0.1). Voters' sessions are created in the session store directly (no login form).
Every wait is bounded; every process started is ended.
"""

import argparse
import asyncio
import bisect
import concurrent.futures
import contextlib
import http.client
import json
import multiprocessing as mp
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40)
# CONN_MAX_AGE 0, as production (base settings): persistent connections under ASGI keep one
# per request thread open and exhaust PostgreSQL's max_connections (measured: "too many
# clients" with conn_max_age=60).
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/qd_bench_storm"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def server_env(database_url: str, redis_url: str, case: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quitodecide.settings.production",
        "SECRET_KEY": SECRET,
        "CEDULA_HASH_KEY": "bench-only-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "consolemail://",
        "SITE_BASE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on 127.0.0.1 (no proxy in front)
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        "BENCH_TALLY": case,
    }


def ensure_database(url: str) -> None:
    import psycopg

    url = url.split("?")[0]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args, capture=True):
    cmd = [sys.executable, str(ROOT / "manage.py"), *args]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=capture, timeout=600)
    if done.returncode:
        sys.exit(f"{' '.join(args[:2])} failed:\n{(done.stderr or b'').decode()[-3000:]}")
    return done


def prepare_case(env, voters: int, label: str) -> dict:
    code = (
        "import json; from benches.live.storm_setup import setup; "
        f"print(json.dumps(setup({voters}, {label!r})))"
    )
    out = manage(env, "shell", "-c", code)
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def ballot_rows(database_url: str, poll_id: int) -> int:
    import psycopg

    with psycopg.connect(database_url.split("?")[0].replace("postgres://", "postgresql://")) as db:
        sql = "SELECT count(*) FROM assemblies_ballot WHERE poll_id = %s"
        return db.execute(sql, [poll_id]).fetchone()[0]


def tally_events(database_url: str, poll_id: int) -> int:
    import psycopg

    with psycopg.connect(database_url.split("?")[0].replace("postgres://", "postgresql://")) as db:
        sql = (
            "SELECT count(*) FROM assemblies_assemblyevent "
            "WHERE type = 'poll.tally' AND (payload->'poll'->>'id')::bigint = %s"
        )
        return db.execute(sql, [poll_id]).fetchone()[0]


# --- Followers (client processes) -------------------------------------------------------


def follower_process(url, count, poll_id, plan, start_at, queues, barrier, deadline_s):
    asyncio.run(_followers(url, count, poll_id, plan, start_at, queues, barrier, deadline_s))


async def _followers(url, count, poll_id, plan, start_at, queues, barrier, deadline_s):
    """`count` followers; the first len(plan) of them are voters, logged in with their own
    session, who vote over their socket (as live.js does) at `start_at.value + offset`."""
    from websockets.asyncio.client import connect

    ready, votes_done, results = queues
    semaphore = asyncio.Semaphore(64)
    errors: list[str] = []

    async def one(k):
        headers = {"Cookie": f"sessionid={plan[k][0]['session']}"} if k < len(plan) else None
        async with semaphore:
            for _attempt in range(3):  # a loaded server may drop a handshake: try again
                try:
                    ws = await connect(
                        url,
                        origin="http://127.0.0.1",
                        additional_headers=headers,
                        open_timeout=60,
                        ping_interval=None,
                        max_queue=None,
                    )
                    first = json.loads(await asyncio.wait_for(ws.recv(), 60))
                    return ws, first.get("seq", 0)
                except Exception as error:  # noqa: BLE001 - counted as not connected
                    errors.append(f"connect: {type(error).__name__}")
        return None

    opened = await asyncio.gather(*(one(k) for k in range(count)))
    sockets = [s for s in opened if s]
    ready.put(len(sockets))
    await asyncio.to_thread(barrier.wait, 600)
    start = start_at.value
    answers: dict[str, dict] = {}  # ref -> the vote's timing and answer

    async def listen(ws):
        # (receive time, event type, online total, online counts per option)
        frames: list[tuple] = []
        try:
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("type") in ("answer", "error") and frame.get("ref") in answers:
                    answer = answers[frame["ref"]]
                    answer["answered"] = time.time()
                    answer["ok"] = frame.get("ok") is True
                    poll = (frame.get("payload") or {}).get("poll") or {}
                    answer["total"] = poll.get("online_total")
                    if not answer["ok"]:
                        answer["error"] = frame.get("message")
                    continue
                if frame.get("type") != "event":
                    continue
                poll = (frame.get("payload") or {}).get("poll")
                if not poll or poll.get("id") != poll_id:
                    continue
                counts = tuple(o["online"] for o in poll["options"])
                frames.append((time.time(), frame["event"], poll["online_total"], counts))
                if frame["event"] == "poll.closed":
                    break
        except Exception as error:  # noqa: BLE001
            errors.append(type(error).__name__)
        return frames

    async def cast(k, ws):
        _voter, option, offset = plan[k]
        await asyncio.sleep(max(0.0, start + offset - time.time()))
        ref = f"v{k}"
        answers[ref] = {"sent": time.time()}
        try:
            await ws.send(
                json.dumps({"type": "vote", "poll": poll_id, "option": option, "ref": ref})
            )
        except Exception as error:  # noqa: BLE001
            answers[ref].update(answered=time.time(), ok=False, error=repr(error))

    tasks = [asyncio.create_task(listen(ws)) for ws, _seq in sockets]
    voting = [asyncio.create_task(cast(k, opened[k][0])) for k in range(len(plan)) if opened[k]]
    await asyncio.gather(*voting)
    wait_until = time.monotonic() + deadline_s
    while time.monotonic() < wait_until and any("answered" not in a for a in answers.values()):
        await asyncio.sleep(0.05)
    votes_done.put(time.time())  # the main process closes the poll once every vote is answered
    done, pending = await asyncio.wait(tasks, timeout=deadline_s) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    out = [task.result() if task in done and not task.cancelled() else [] for task in tasks]
    await asyncio.gather(*(ws.close() for ws, _seq in sockets), return_exceptions=True)
    if errors:
        print(f"  {len(errors)} follower socket errors: {sorted(set(errors))}", flush=True)
    lost = len(plan) - sum(1 for k in range(len(plan)) if opened[k])
    unanswered = [a for a in answers.values() if "answered" not in a]
    for answer in unanswered:
        answer.update(answered=time.time(), ok=False, error="no answer")
    results.put({"frames": out, "answers": list(answers.values()), "voters_lost": lost})


# --- Voters (threads of the main process) -----------------------------------------------


def vote(port, path, voter, option, at):
    delay = at - time.time()
    if delay > 0:
        time.sleep(delay)
    body = f"option={option}&csrfmiddlewaretoken={voter['csrf']}"
    headers = {
        "Cookie": f"sessionid={voter['session']}; csrftoken={voter['csrf']}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "Origin": f"http://127.0.0.1:{port}",
        "Host": f"127.0.0.1:{port}",
    }
    sent = time.time()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
    except Exception as error:  # noqa: BLE001
        return {"sent": sent, "answered": time.time(), "status": 0, "error": repr(error)}
    answered = time.time()
    answer = {"sent": sent, "answered": answered, "status": response.status}
    try:
        parsed = json.loads(data)
    except ValueError:
        answer["error"] = data[:200].decode(errors="replace")
        return answer
    answer["ok"] = parsed.get("ok") is True
    answer["total"] = ((parsed.get("payload") or {}).get("poll") or {}).get("online_total")
    if not answer["ok"]:
        answer["error"] = parsed.get("message")
    return answer


async def staff_close(port, ws_path, cookie, poll_id):
    from websockets.asyncio.client import connect

    async with connect(
        f"ws://127.0.0.1:{port}{ws_path}",
        origin="http://127.0.0.1",
        additional_headers={"Cookie": cookie},
        open_timeout=30,
        ping_interval=None,
    ) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if not first.get("staff"):
            raise RuntimeError("the staff session may not act (no MFA?)")
        sent = time.time()
        await ws.send(json.dumps({"type": "action", "action": "poll.close", "poll": poll_id}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if frame.get("type") == "ack":
                return sent, time.time()
            if frame.get("type") == "error":
                raise RuntimeError(f"close refused: {frame}")
        raise RuntimeError("no ack for the close")


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def run_case(case, database_url, redis_url, args) -> dict:
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # this bench's own db number
    by_socket = not case.endswith("-form")  # votes over the voters' sockets, as live.js
    env = server_env(database_url, redis_url, case.removesuffix("-form"))
    info = prepare_case(env, args.voters, case)
    ws_path = f"/ws/asambleas/{info['assembly']}/"
    vote_path = f"{info['url'].rstrip('/')}/votar/{info['poll']}/"
    port = free_port()
    # The README's worker command (deploy/asgi-worker), serving the bench's application.
    cmd = [
        "env",
        f"PYTHON={sys.executable}",
        "ASGI_APP=benches.live.storm_asgi:application",
        str(ROOT / "deploy" / "asgi-worker"),
        str(port),
    ]
    log = (ROOT / "var" / f"bench-vote-storm-{case}.log").open("w")
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    clients = []
    try:
        wait_port(port, server)
        procs = args.client_processes
        share = [args.followers // procs + (k < args.followers % procs) for k in range(procs)]
        ctx = mp.get_context("spawn")
        queues = ctx.Queue(), ctx.Queue(), ctx.Queue()  # ready, votes done, results
        barrier = ctx.Barrier(procs + 1)
        start_at = ctx.Value("d", 0.0)
        url = f"ws://127.0.0.1:{port}{ws_path}"
        options = info["options"]
        plan = [
            (voter, options[k % len(options)], k * args.spread / args.voters)
            for k, voter in enumerate(info["voters"])
        ]
        plans = [[] for _ in range(procs)]
        if by_socket:  # voter k is a follower of client process k mod procs
            for k, entry in enumerate(plan):
                plans[k % procs].append(entry)
            if any(len(p) > n for p, n in zip(plans, share, strict=True)):
                sys.exit("more voters than followers")
        clients = [
            ctx.Process(
                target=follower_process,
                args=(url, n, info["poll"], plans[k], start_at, queues, barrier, args.deadline),
            )
            for k, n in enumerate(share)
        ]
        for client in clients:
            client.start()
        connected = sum(queues[0].get(timeout=300) for _ in clients)
        time.sleep(2)  # let presence settle
        start = start_at.value = time.time() + 0.5
        barrier.wait(60)
        if by_socket:
            storm_end = max(queues[1].get(timeout=args.deadline + 60) for _ in clients)
        else:
            timed = [(voter, option, start + offset) for voter, option, offset in plan]
            with concurrent.futures.ThreadPoolExecutor(args.http_threads) as pool:
                answers = list(pool.map(lambda p: vote(port, vote_path, *p), timed))
            storm_end = time.time()
        close_sent, close_acked = asyncio.run(
            staff_close(port, ws_path, info["staff_cookie"], info["poll"])
        )
        per_follower, socket_answers, voters_lost = [], [], 0
        for _ in clients:
            got = queues[2].get(timeout=args.deadline + 60)
            per_follower += got["frames"]
            socket_answers += got["answers"]
            voters_lost += got["voters_lost"]
        if by_socket:
            answers = socket_answers
        for client in clients:
            client.join(timeout=30)
    finally:
        for client in clients:
            if client.is_alive():
                client.terminate()
                client.join(5)
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        log.close()

    accepted = [a for a in answers if a.get("ok")]
    refused = [a for a in answers if not a.get("ok")]
    latency = [1000 * (a["answered"] - a["sent"]) for a in answers]
    rows = ballot_rows(database_url, info["poll"])
    # Freshness: per follower, the first tally frame (or the close) whose total reaches the
    # total in the vote's own answer.
    freshness = []
    final = set()
    final_late = 0
    frames_counts = []
    for frames in per_follower:
        closed = [f for f in frames if f[1] == "poll.closed"]
        if closed:
            final.add(closed[0][3])
            final_late += closed[0][0] - close_sent > 1.0
        tallies = [f for f in frames if f[1] in ("poll.tally", "poll.closed")]
        frames_counts.append(sum(1 for f in frames if f[1] == "poll.tally"))
        totals = [f[2] for f in tallies]
        for a in accepted:
            i = bisect.bisect_left(totals, a["total"])
            if i < len(tallies):
                freshness.append(1000 * (tallies[i][0] - a["answered"]))
    holders = sum(1 for frames in per_follower if any(f[1] == "poll.closed" for f in frames))
    final_counts = next(iter(final)) if len(final) == 1 else None
    storm_s = storm_end - start
    # Frames per second at one follower, and in the database.
    sample = per_follower[0] if per_follower else []
    stamps = [f[0] for f in sample if f[1] == "poll.tally"]
    busiest = max(
        (bisect.bisect_left(stamps, t + 1.0) - i for i, t in enumerate(stamps)), default=0
    )
    return {
        "case": case,
        "followers": args.followers,
        "connected": connected,
        "voters": args.voters,
        "votes_by": "socket" if by_socket else "form",
        "voters_not_connected": voters_lost,
        "accepted": len(accepted),
        "refused": len(refused),
        "refusals": sorted({str(a.get("error"))[:80] for a in refused})[:3],
        "ballot_rows": rows,
        "final_tally": list(final_counts) if final_counts else sorted(map(list, final)),
        "final_total": sum(final_counts) if final_counts else None,
        "followers_with_final": holders,
        "followers_final_late_1s": final_late,
        "close_ack_ms": round(1000 * (close_acked - close_sent), 1),
        "accept_p50_ms": round(pct(latency, 50), 1),
        "accept_p99_ms": round(pct(latency, 99), 1),
        "fresh_p50_ms": round(pct(freshness, 50), 1) if freshness else None,
        "fresh_p99_ms": round(pct(freshness, 99), 1) if freshness else None,
        "fresh_samples": len(freshness),
        "storm_s": round(storm_s, 1),
        "tally_events_db": tally_events(database_url, info["poll"]),
        "tally_frames_per_follower": round(statistics.fmean(frames_counts), 1)
        if frames_counts
        else 0,
        "tally_frames_per_s": round(len(stamps) / storm_s, 1) if storm_s > 0 else None,
        "tally_frames_busiest_s": busiest,
    }


def fmt(r):
    holds = (
        r["followers_with_final"] == r["connected"]
        and r["followers_final_late_1s"] == 0
        and r["final_total"] is not None
        and r["accepted"] == r["ballot_rows"] == r["final_total"]
    )
    return (
        f"{r['case']:<14} votes by {r['votes_by']}: followers={r['connected']}/{r['followers']} "
        f"votes accepted={r['accepted']} refused={r['refused']} rows={r['ballot_rows']} "
        f"final={r['final_tally']} (total {r['final_total']})\n"
        f"            acceptance p50={r['accept_p50_ms']} ms p99={r['accept_p99_ms']} ms | "
        f"freshness p50={r['fresh_p50_ms']} ms p99={r['fresh_p99_ms']} ms | "
        f"tally frames {r['tally_frames_per_s']}/s (busiest second {r['tally_frames_busiest_s']},"
        f" {r['tally_frames_per_follower']} per follower, {r['tally_events_db']} events stored) | "
        f"close ack {r['close_ack_ms']} ms, "
        f"final held by {r['followers_with_final']} followers, "
        f"{r['followers_final_late_1s']} later than 1 s | "
        f"{'HOLDS' if holds else 'DOES NOT HOLD'}: accepted == rows == final total, "
        f"all followers same final within 1 s"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--spread", type=float, default=20.0, help="seconds the votes span")
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--http-threads", type=int, default=64)
    parser.add_argument("--deadline", type=float, default=90, help="max seconds to listen")
    parser.add_argument(
        "--cases",
        default="coalesced,coalesced-form,per-ballot",
        help="coalesced: the code as it is; per-ballot: the baseline; -form: votes by form POST",
    )
    args = parser.parse_args()

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4")
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    if not database_url.startswith("postgres"):
        sys.exit("BENCH_DATABASE_URL must be PostgreSQL (SQLite serialises the voters)")
    ensure_database(database_url)
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with contextlib.suppress(OSError):
        print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
    print(f"database: {database_url.split('@')[-1]}  redis: {redis_url}")
    env = server_env(database_url, redis_url, "coalesced")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "load_territory")
    rows = []
    for case in [c for c in args.cases.split(",") if c]:
        row = run_case(case, database_url, redis_url, args)
        print(fmt(row), flush=True)
        rows.append(row)
    by = {r["case"]: r for r in rows}
    if "coalesced" in by and "per-ballot" in by:
        a, b = by["coalesced"], by["per-ballot"]
        print(
            f"coalesced vs per-ballot: tally frames per follower {a['tally_frames_per_follower']}"
            f" vs {b['tally_frames_per_follower']}; freshness p99 {a['fresh_p99_ms']} vs "
            f"{b['fresh_p99_ms']} ms; acceptance p99 {a['accept_p99_ms']} vs "
            f"{b['accept_p99_ms']} ms"
        )
    out = ROOT / "var" / "bench-vote-storm.json"
    out.write_text(json.dumps(rows, indent=2))
    print(f"results written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
