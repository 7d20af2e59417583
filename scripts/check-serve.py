#!/usr/bin/env python3
"""Start a generated Rust service the way its README says and drive it over loopback.

    scripts/check-serve.py PROJECT_DIR [--break-cmd CMD --repair-cmd CMD]

In PROJECT_DIR: `cp .env.example .env`, then `cargo run` (the README's first run), with
only PORT (a free one) and LOG_FORMAT=json taken from the environment; DATABASE_URL too when
the caller sets it (PostgreSQL). Then, over HTTP on 127.0.0.1:
  - the liveness and readiness probes, HEAD on both;
  - register and log in when the project has the auth domain; create, read, update, list
    and delete on the first resource domain of the OpenAPI document;
  - 50 concurrent creates, every one 201;
  - 413 for an oversized body, 405 for a wrong method, 404: each with the JSON error body;
  - a CORS preflight from the first origin of CORS_ALLOWED_ORIGINS;
  - a 500 (the caller's --break-cmd makes the database fail, --repair-cmd repairs it; in
    both `{table}` is the resource's table) whose x-request-id is in an ERROR log line.
Every request has a timeout, the server gets 180 s to start, and it is stopped with SIGTERM
(and must exit 0) whatever happens. Standard library only. Exit 0 when all holds, 1 otherwise.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = 10
WRITERS = 50


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, token=None, headers=None, raw=None):
        """(status, headers, body bytes) of one request."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def json(self, method, path, body=None, token=None, headers=None, raw=None, expect=200):
        status, headers, data = self.call(method, path, body, token, headers, raw)
        check(status == expect, f"{method} {path}: expected {expect}, got {status}: {data[:300]!r}")
        if not data:
            return None, headers
        check(
            headers.get("Content-Type", "").startswith("application/json"),
            f"{method} {path}: {status} without a JSON body ({headers.get('Content-Type')})",
        )
        return json.loads(data), headers


def error_code(client, method, path, expect, **kwargs):
    body, headers = client.json(method, path, expect=expect, **kwargs)
    check(body and "error" in body, f"{method} {path}: {expect} without the error body: {body}")
    return body["error"]["code"], headers


def env_example(project):
    values = {}
    with open(os.path.join(project, ".env.example"), encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
    return values


def children(pid):
    """The child processes of `pid` (Linux)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def wait_until_live(client, server, deadline):
    while time.monotonic() < deadline:
        check(server.poll() is None, f"the server exited with {server.returncode} before answering")
        try:
            status, _, _ = client.call("GET", "/health/live")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise Failure("the server did not answer /health/live within 180 s")


def drive(client, project, args, log_path):
    live, _ = client.json("GET", "/health/live")
    check(live == {"status": "ok"}, f"/health/live: {live}")
    ready, headers = client.json("GET", "/health/ready")
    check(ready == {"status": "ok", "database": "ok"}, f"/health/ready: {ready}")
    check(headers.get("x-request-id"), "no x-request-id on /health/ready")
    for path in ["/health/live", "/health/ready"]:
        status, _, data = client.call("HEAD", path)
        check(status == 200 and data == b"", f"HEAD {path}: {status} {data[:100]!r}")

    spec, _ = client.json("GET", "/api-docs/openapi.json")
    paths = spec["paths"]
    token = None
    if "/api/v1/auth/register" in paths:
        credentials = {"email": "first-run@example.com", "password": "correct horse battery staple"}
        client.json("POST", "/api/v1/auth/register", credentials, expect=201)
        login, _ = client.json("POST", "/api/v1/auth/login", credentials)
        token = login["access_token"]
    resources = sorted(p for p in paths if p.startswith("/api/v1/") and "/auth/" not in p and "{" not in p)
    check(resources, f"no resource domain in {sorted(paths)}")
    base = resources[0]

    created, _ = client.json("POST", base, {"name": "First run", "description": "over loopback"}, token, expect=201)
    item = f"{base}/{created['id']}"
    got, _ = client.json("GET", item)
    check(got == created, f"GET {item}: {got} != {created}")
    updated, _ = client.json("PUT", item, {"description": None}, token)
    check(updated["description"] is None and updated["name"] == "First run", f"PUT null: {updated}")
    client.json("DELETE", item, token=token, expect=204)
    error_code(client, "GET", item, 404)
    code, _ = error_code(client, "POST", base, 422, body={"name": "x", "unknown": 1}, token=token)
    check(code == "validation_error", f"unknown field: {code}")
    invalid, _ = client.json("POST", base, {"name": " ", "description": "x" * 1001}, token, expect=422)
    fields = sorted(detail["field"] for detail in invalid["error"].get("details", []))
    check(fields == ["description", "name"], f"every field error at once: {invalid}")

    def create(i):
        return client.call("POST", base, {"name": f"Concurrent {i}"}, token)[0]

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        statuses = list(pool.map(create, range(WRITERS)))
    failed = [s for s in statuses if s != 201]
    check(not failed, f"{len(failed)} of {WRITERS} concurrent creates failed: {sorted(set(failed))}")
    listed, _ = client.json("GET", f"{base}?limit=100")
    check(listed["total"] == WRITERS, f"{listed['total']} rows after {WRITERS} concurrent creates")

    big = json.dumps({"name": "x" * 100_000}).encode()
    code, _ = error_code(client, "POST", base, 413, raw=big, token=token)
    check(code == "payload_too_large", f"413 code: {code}")
    code, _ = error_code(client, "DELETE", "/health/live", 405)
    check(code == "method_not_allowed", f"405 code: {code}")
    code, _ = error_code(client, "GET", "/nope", 404)
    check(code == "not_found", f"404 code: {code}")

    origin = env_example(project).get("CORS_ALLOWED_ORIGINS", "").split(",")[0].strip()
    check(origin, ".env.example allows no CORS origin")
    status, headers, _ = client.call(
        "OPTIONS", base, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    check(status in (200, 204), f"CORS preflight: {status}")
    check(headers.get("Access-Control-Allow-Origin") == origin, f"CORS preflight headers: {dict(headers)}")

    if args.break_cmd:
        table = base.rsplit("/", 1)[-1]
        subprocess.run(args.break_cmd.format(table=table), shell=True, check=True, cwd=project)
        try:
            request_id = "check-serve-500"
            code, _ = error_code(client, "GET", base, 500, headers={"x-request-id": request_id})
            check(code == "internal_error", f"500 code: {code}")
        finally:
            subprocess.run(args.repair_cmd.format(table=table), shell=True, check=True, cwd=project)
        time.sleep(0.2)
        lines = []
        with open(log_path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    continue
        ours = [line for line in lines if line.get("span", {}).get("request_id") == request_id]
        check(
            any(line.get("level") == "ERROR" for line in ours),
            f"no ERROR log line carries request id {request_id}: {ours}",
        )
        client.json("GET", base)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project")
    parser.add_argument("--break-cmd", help="shell command that makes the database fail")
    parser.add_argument("--repair-cmd", help="shell command that undoes --break-cmd")
    args = parser.parse_args()
    project = os.path.abspath(args.project)
    shutil.copyfile(os.path.join(project, ".env.example"), os.path.join(project, ".env"))

    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in {"RUST_LOG", "APP_ENV", "JWT_SECRET"}}
    env.update(PORT=str(port), LOG_FORMAT="json", NO_COLOR="1")
    log_dir = tempfile.mkdtemp(prefix="check-serve-")
    log_path = os.path.join(log_dir, "server.log")
    log = open(log_path, "w", encoding="utf-8")
    server = subprocess.Popen(
        ["cargo", "run", "--quiet"], cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    client = Client(f"http://127.0.0.1:{port}")
    outcome = 0
    try:
        wait_until_live(client, server, time.monotonic() + 180)
        drive(client, project, args, log_path)
    except (Failure, OSError, KeyError, ValueError) as error:
        print(f"check-serve: {project}: {error}", file=sys.stderr)
        outcome = 1
    finally:
        if server.poll() is None:
            # SIGTERM to the service itself, the way an orchestrator stops it; `cargo run`
            # then exits with the service's own status.
            for pid in children(server.pid) or [server.pid]:
                os.kill(pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
                print("check-serve: the server ignored SIGTERM for 30 s", file=sys.stderr)
                outcome = 1
        log.close()
    if outcome == 0 and server.returncode != 0:
        print(f"check-serve: the server exited with {server.returncode} on SIGTERM", file=sys.stderr)
        outcome = 1
    if outcome:
        with open(log_path, encoding="utf-8", errors="replace") as handle:
            sys.stderr.write("".join(handle.readlines()[-40:]))
    else:
        print(f"check-serve: {os.path.basename(project)}: ok")
    os.remove(os.path.join(project, ".env"))
    shutil.rmtree(log_dir)
    return outcome


if __name__ == "__main__":
    sys.exit(main())
