"""The client side of ``python -m d2lvi build``: hand the build to the book's warm server
(started if needed) and relay Ctrl-C and the exit status; ``python -m d2lvi server``."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from d2lvi.build.protocol import (
    DEFAULT_IDLE_MINUTES,
    STALE,
    connect,
    enabled,
    identity,
    locked,
    named_server,
    private_dir,
    run_jupyter_book,
    send_message,
    socket_path,
    stop,
    token_path,
)


def build(args: list[str]) -> int:
    """``jupyter-book build BOOK [OPTIONS]`` through the book's server (started if needed).

    ``args`` are those of ``jupyter-book build``, the book's folder first; the exit status is
    the build's.
    """
    book = Path(args[0] if args and not args[0].startswith("-") else ".")
    if enabled():
        path = socket_path(book)
        if private_dir(path.parent):
            for _ in range(2):  # a stale server is replaced once
                status = build_through_server(book, path, args)
                if status != STALE:
                    return int(status) if status is not None else direct(args)
    return direct(args)


def direct(args: list[str]) -> int:
    """The build in this process, exactly as ``jupyter-book build``."""
    return run_jupyter_book(["build", *args])


def build_through_server(book: Path, path: Path, args: list[str]) -> int | str | None:
    """One build by the server; its status, ``STALE``, or None when no server could serve it."""
    with locked(path):
        conn = connect(path) if token_path(book).exists() else None
        if conn is None:
            stop(path)  # a server of an earlier build directory, if one is left
            conn = start(book, path)
    if conn is None:
        return None
    with conn:
        return request(conn, args)


def standard_fds() -> list[int]:
    """This process's standard streams to hand over (/dev/null for a closed one)."""
    fds = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            fds.append(os.open(os.devnull, os.O_RDWR))
    return fds


def start(book: Path, path: Path, timeout: float = 90.0) -> socket.socket | None:
    """Start a server for ``book`` in the background; a connection to it, or None."""
    from d2lvi.config import project_config

    idle = project_config(book).get("build_server_idle_minutes", DEFAULT_IDLE_MINUTES)
    log = book / "_build" / ".d2lvi-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "d2lvi.build.server", "--socket", str(path),
             "--idle-minutes", str(idle), str(book.resolve())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            start_new_session=True)  # not in the terminal's group: Ctrl-C is forwarded
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        # The server listens before it imports: the request waits in its queue meanwhile.
        if path.exists() and (conn := connect(path)) is not None:
            return conn
        time.sleep(0.01)
    # Too slow (a loaded machine) or dead: this build goes without it, and a late server must
    # not name itself afterwards as the book's server.
    server.kill()
    server.wait()
    if named_server(book) == server.pid:
        with contextlib.suppress(OSError):
            token_path(book).unlink()
    return None


def request(conn: socket.socket, args: list[str]) -> int | str | None:
    """Have the server build, relaying Ctrl-C: the exit status, ``STALE``, or None (no build)."""
    try:
        send_message(conn, {"op": "build", "argv": ["jupyter-book", "build", *args],
                            "cwd": os.getcwd(), "env": dict(os.environ),
                            "identity": identity(os.environ)}, standard_fds())
        replies = conn.makefile("r", encoding="utf-8")
        first = replies.readline().split()
    except OSError:
        first = []
    except KeyboardInterrupt:  # Ctrl-C before the build started: the child will not start it
        return 130
    if first == [STALE]:
        return STALE
    if len(first) != 2 or first[0] != "pid":
        return None  # the server went before starting the build: build here instead
    child = int(first[1])
    forwarded = {sig: signal.signal(sig, lambda s, _f: _forward(child, s))
                 for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        last = replies.readline().split()
    finally:
        for sig, handler in forwarded.items():
            signal.signal(sig, handler)
    if len(last) == 2 and last[0] == "exit":
        return int(last[1])
    print(f"lỗi: tiến trình dựng sách {child} dừng bất thường (build process died)",
          file=sys.stderr)
    return 1


def _forward(pid: int, sig: int) -> None:
    """Pass a signal on to the build child."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def server_main(argv: list[str]) -> int:
    """``python -m d2lvi server stop|status``: the book's server in the current folder."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi server")
    parser.add_argument("action", choices=["stop", "status"])
    ns = parser.parse_args(argv)
    book = Path.cwd()
    pid = named_server(book)
    if ns.action == "stop":
        stopped = stop(socket_path(book))
        print("đã dừng máy chủ dựng sách" if stopped else "không có máy chủ dựng sách nào")
        return 0
    conn = connect(socket_path(book)) if pid else None
    if conn is not None:
        conn.close()
        print(f"máy chủ dựng sách đang chạy (pid {pid})")
        return 0
    print("không có máy chủ dựng sách nào")
    return 1
