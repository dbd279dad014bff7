"""A private `redis-server` for the room tests: a free loopback port, no persistence.

The fixtures that use it (`redis_url`, `private_redis`) live in conftest.py: without Debian's
`redis-server` they skip locally and fail under CI, like the browser fixtures.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

from browser_helpers import free_port, stop

START_TIMEOUT_S = 15.0


@dataclass
class RedisServer:
    """One running redis-server: its URL and its process, which a test may kill."""

    url: str
    process: subprocess.Popen

    def kill(self) -> None:
        """Stop the server at once, as a crash would (no goodbye to its clients)."""
        self.process.kill()
        self.process.wait(timeout=10)


def redis_server_path() -> str | None:
    """Where Debian's redis-server is, or None."""
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if shutil.which("/usr/bin/redis-server") else None
    )


@contextlib.contextmanager
def start_redis() -> Iterator[RedisServer]:
    """Start redis-server on a free loopback port (never 6379); stop it afterwards."""
    import redis

    exe = redis_server_path()
    if exe is None:
        raise FileNotFoundError("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    cmd = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = RedisServer(f"redis://127.0.0.1:{port}/0", proc)
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            with contextlib.suppress(redis.exceptions.RedisError):
                if client.ping():
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode(errors="replace") if proc.poll() is not None else ""
                raise RuntimeError(f"redis-server did not start on port {port}: {err[-500:]}")
            time.sleep(0.05)
        yield server
    finally:
        client.close()
        if proc.poll() is None:
            stop(proc)
