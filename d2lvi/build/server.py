"""A warm process for ``make html``: the build's imports paid once, every build forked from it.

(The client is d2lvi.build.client; what both share, d2lvi.build.protocol.)

About half of a rebuild after a prose edit is Python importing Jupyter Book, Sphinx, MyST-NB
(with jupyter-cache's SQLAlchemy), the theme and the extensions. ``python -m d2lvi build``
hands the build to a server that has imported them already; the server forks a child per
build. The child takes the client's working directory, environment, arguments and terminal
(its standard streams, passed as file descriptors) and runs ``jupyter-book build`` itself,
so the pages are those of a direct build (tests/build/test_buildserver.py compares them byte for
byte) and Ctrl-C, colours and exit status behave as in a direct build.

Life cycle: the first build starts the server in the background. It belongs to one build
directory, whose ``.d2lvi-server`` file names it, and exits when that file goes (``make
clean``, a cold build), after ``build_server_idle_minutes`` (pyproject.toml) without a build,
or at the first request after a module it imported changed on disk (the client then starts
a new one). Linux only (fork); ``D2LVI_BUILD_SERVER=0`` builds in the client's own process.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import io
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
from pathlib import Path

from d2lvi.build.protocol import (
    DEFAULT_IDLE_MINUTES,
    STALE,
    identity,
    named_server,
    recv_message,
    run_jupyter_book,
    token_path,
)

# What every build imports before reading a page, on top of the book's extensions.
WARM_MODULES = ("jupyter_book.cli.main", "jupyter_book.sphinx", "sphinx.builders.html",
                "myst_nb.sphinx_ext", "pydata_sphinx_theme")


def modules_fingerprint() -> dict[str, int]:
    """Every imported module's file and its modification time."""
    stamps = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path:
            with contextlib.suppress(OSError):
                stamps[path] = os.stat(path).st_mtime_ns
    return stamps


def changed_files(stamps: dict[str, int]) -> list[str]:
    """The files of a fingerprint that changed or went since it was taken."""
    changed = []
    for path, mtime in stamps.items():
        try:
            if os.stat(path).st_mtime_ns != mtime:
                changed.append(path)
        except OSError:
            changed.append(path)
    return changed


def book_extensions(book: Path) -> list[str]:
    """The Sphinx extensions the book's _config.yml lists (none when it cannot be read)."""
    import yaml

    try:
        config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8")) or {}
        extensions = config.get("sphinx", {}).get("config", {}).get("extensions", [])
    except (OSError, yaml.YAMLError, AttributeError):
        return []
    return [e for e in extensions if isinstance(e, str)]


class Server:
    """The warm process of one book's build directory."""

    def __init__(self, book: Path, path: Path, idle_minutes: float) -> None:
        self.book, self.path, self.idle = book, path, idle_minutes * 60
        self.token = token_path(book)
        self.pid = os.getpid()
        self.children: set[int] = set()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.stamps: dict[str, int] = {}
        self.identity = identity(os.environ)
        self.inode = 0

    def serve(self) -> None:
        """Listen, import, and build on request until it is time to go."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.listener.bind(str(self.path))
        self.listener.listen(16)
        self.inode = self.path.stat().st_ino
        self.token.write_text(json.dumps({"pid": self.pid, "socket": str(self.path)}))
        try:
            self.warm_up()
            last = time.monotonic()
            while self.owns_token() and (self.children or time.monotonic() - last < self.idle):
                ready, _, _ = select.select([self.listener], [], [], 1.0)
                self.reap()
                if ready:
                    conn, _ = self.listener.accept()
                    with conn:
                        if not self.handle(conn):
                            break
                    last = time.monotonic()
        finally:
            if os.getpid() == self.pid:  # not in a build child leaving through here
                self.retire()

    def retire(self) -> None:
        """Take this server's socket and name away, so that clients start a new one."""
        with contextlib.suppress(OSError):
            if self.path.stat().st_ino == self.inode:
                self.path.unlink()
        if self.owns_token():
            with contextlib.suppress(OSError):
                self.token.unlink()

    def warm_up(self) -> None:
        """Import what every build imports; a module that fails is left to the build."""
        for name in (*WARM_MODULES, *book_extensions(self.book)):
            try:
                importlib.import_module(name)
            except Exception as err:  # noqa: BLE001 - the build will report it properly
                print(f"warm-up: {name}: {err}", file=sys.stderr)
        self.stamps = modules_fingerprint()

    def owns_token(self) -> bool:
        """Whether the build directory still names this server."""
        return named_server(self.book) == self.pid

    def reap(self) -> None:
        """Collect the children that finished."""
        for pid in list(self.children):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0]:
                    self.children.discard(pid)

    def handle(self, conn: socket.socket) -> bool:
        """Serve one request; whether to go on serving."""
        uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                  struct.calcsize("3i")))[1]
        if uid != os.getuid():
            return True
        try:
            message, fds = recv_message(conn)
        except (OSError, ValueError, ConnectionError):
            return True
        try:
            if message.get("op") == "stop":
                self.retire()
                conn.sendall(b"ok\n")
                return False
            changed = changed_files(self.stamps)
            if changed or message.get("identity") != self.identity:
                theirs = message.get("identity") or {}
                differ = {k: (v, theirs.get(k)) for k, v in self.identity.items()
                          if theirs.get(k) != v}
                print(f"stale: {changed[:3] or differ}", file=sys.stderr)
                self.retire()  # first, so that the client's next try starts a new server
                conn.sendall(f"{STALE}\n".encode())
                return False
            pid = os.fork()
            if pid == 0:
                self.run_child(conn, message, fds)  # never returns
            self.children.add(pid)
            return True
        finally:
            for fd in fds:
                os.close(fd)

    def run_child(self, conn: socket.socket, message: dict, fds: list[int]) -> None:
        """In the forked child: become the client's build process, build, report, exit."""
        self.listener.close()
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in zip((0, 1, 2), fds, strict=False):
            os.dup2(fd, target)
        reopen_standard_streams()
        os.chdir(message["cwd"])
        os.environ.clear()
        os.environ.update(message["env"])
        sys.argv = message["argv"]
        try:
            conn.sendall(f"pid {os.getpid()}\n".encode())
        except OSError:  # the client went (Ctrl-C) before the build started
            os._exit(130)
        status = run_jupyter_book(message["argv"][1:])
        # Exit handlers run as at any interpreter's exit (temporary folders, kernels...), but
        # the teardown of every module and object is skipped: ~0.4 s spent for nobody once
        # the build's files are written and closed. A thread left running is waited for.
        alone = threading.active_count() == 1
        if alone:
            atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        conn.sendall(f"exit {status}\n".encode())
        if alone:
            os._exit(status)
        raise SystemExit(status)


def reopen_standard_streams() -> None:
    """Python's standard streams on the descriptors just received (a terminal, a pipe...)."""
    sys.stdin = io.TextIOWrapper(open(0, "rb", closefd=False), encoding=sys.stdin.encoding,
                                 errors=sys.stdin.errors)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        old = getattr(sys, name)
        tty = os.isatty(fd)
        stream = io.TextIOWrapper(open(fd, "wb", buffering=0 if name == "stderr" else -1,
                                       closefd=False),
                                  encoding=old.encoding, errors=old.errors,
                                  line_buffering=tty or name == "stderr",
                                  write_through=name == "stderr")
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def main(argv: list[str] | None = None) -> int:
    """``python -m d2lvi.build.server --socket PATH BOOK``: run a server (the client starts it)."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi.build.server")
    parser.add_argument("book", type=Path)
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--idle-minutes", type=float, default=DEFAULT_IDLE_MINUTES)
    ns = parser.parse_args(argv)
    Server(ns.book, ns.socket, ns.idle_minutes).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
