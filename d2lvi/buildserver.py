"""A warm process for ``make html``: the build's imports paid once, every build forked from it.

About half of a rebuild after a prose edit is Python importing Jupyter Book, Sphinx, MyST-NB
(with jupyter-cache's SQLAlchemy), the theme and the extensions. ``python -m d2lvi build``
hands the build to a server that has imported them already; the server forks a child per
build. The child takes the client's working directory, environment, arguments and terminal
(its standard streams, passed as file descriptors) and runs ``jupyter-book build`` itself,
so the pages are those of a direct build (tests/test_buildserver.py compares them byte for
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
import fcntl
import hashlib
import importlib
import io
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

# What every build imports before reading a page, on top of the book's extensions.
WARM_MODULES = ("jupyter_book.cli.main", "jupyter_book.sphinx", "sphinx.builders.html",
                "myst_nb.sphinx_ext", "pydata_sphinx_theme")
TOKEN = ".d2lvi-server"  # in the build directory: the server's pid and socket
DEFAULT_IDLE_MINUTES = 30
STALE = "stale"  # the server's answer when it must be replaced
HEADER = struct.Struct("!I")


def enabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether builds go through the server (Linux, not switched off)."""
    off = environ.get("D2LVI_BUILD_SERVER", "1").strip().lower() in {"0", "off", "false", "no"}
    return sys.platform == "linux" and hasattr(os, "fork") and not off


def socket_path(book: Path) -> Path:
    """The server's socket for a book: in a private per-user folder (paths of sockets are short)."""
    key = hashlib.sha256(str(book.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"d2lvi-{os.getuid()}" / f"{key}.sock"


def private_dir(path: Path) -> bool:
    """Create the socket folder; whether only this user can enter it."""
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.lstat()
    return info.st_uid == os.getuid() and (info.st_mode & 0o777) == 0o700


def send_message(conn: socket.socket, message: dict, fds: list[int] = ()) -> None:
    """One length-prefixed JSON message, with file descriptors attached."""
    data = json.dumps(message).encode()
    framed = HEADER.pack(len(data)) + data
    sent = socket.send_fds(conn, [framed], list(fds))
    conn.sendall(framed[sent:])  # sendmsg may take only part of a long message


def recv_message(conn: socket.socket) -> tuple[dict, list[int]]:
    """The next message and the file descriptors that came with it."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 8)
    data = _recv_until(conn, data, HEADER.size)
    end = HEADER.size + HEADER.unpack_from(data)[0]
    return json.loads(_recv_until(conn, data, end)[HEADER.size:end]), fds


def _recv_until(conn: socket.socket, data: bytes, size: int) -> bytes:
    """``data`` completed with what follows on ``conn`` to at least ``size`` bytes."""
    while len(data) < size:
        more = conn.recv(1 << 16)
        if not more:
            raise ConnectionError("truncated message")
        data += more
    return data


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


# Settings a process takes at its start, which a forked child cannot take over from the client.
STARTUP_ENV = ("PYTHONPATH", "PYTHONHOME", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONIOENCODING")


def token_path(book: Path) -> Path:
    """The file in the book's build directory that names its server."""
    return book / "_build" / TOKEN


def named_server(book: Path) -> int | None:
    """The pid of the server the book's build directory names, if it names one."""
    try:
        pid = json.loads(token_path(book).read_text()).get("pid")
    except (OSError, ValueError, AttributeError):
        return None
    return pid if isinstance(pid, int) else None


def identity(environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """What a server must share with its client: the interpreter and its start-up settings."""
    return {"python": sys.executable, **{k: environ.get(k, "") for k in STARTUP_ENV}}


# --- The client ---------------------------------------------------------------------------


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


def run_jupyter_book(args: list[str]) -> int:
    """Jupyter Book's command line in this process; its exit status."""
    from jupyter_book.cli.main import main

    try:
        main(args, prog_name="jupyter-book")
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            return done.code or 0
        print(done.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:  # noqa: BLE001 - reported as the interpreter would, then exit status 1
        sys.excepthook(*sys.exc_info())
        return 1
    return 0


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


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the book's lock: one client at a time checks for and starts its server."""
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def connect(path: Path) -> socket.socket | None:
    """A connection to the server at ``path``, or None."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
    except OSError:
        conn.close()
        return None
    return conn


def stop(path: Path) -> bool:
    """Ask the server at ``path`` to exit; whether one was there."""
    conn = connect(path)
    if conn is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # left by a server that died
        return False
    with conn:
        with contextlib.suppress(OSError):
            send_message(conn, {"op": "stop"})
            conn.recv(64)
    return True


def start(book: Path, path: Path, timeout: float = 30.0) -> socket.socket | None:
    """Start a server for ``book`` in the background; a connection to it, or None."""
    from d2lvi.cli import project_config

    idle = project_config(book).get("build_server_idle_minutes", DEFAULT_IDLE_MINUTES)
    log = book / "_build" / ".d2lvi-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "d2lvi.buildserver", "--socket", str(path),
             "--idle-minutes", str(idle), str(book.resolve())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            start_new_session=True)  # not in the terminal's group: Ctrl-C is forwarded
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        # The server listens before it imports: the request waits in its queue meanwhile.
        if path.exists() and (conn := connect(path)) is not None:
            return conn
        time.sleep(0.01)
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


# --- The server ---------------------------------------------------------------------------


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
                print(f"stale: {changed[:3] or 'identity'}", file=sys.stderr)
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


# --- Command line -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m d2lvi.buildserver --socket PATH BOOK``: run a server (the client starts it)."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi.buildserver")
    parser.add_argument("book", type=Path)
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--idle-minutes", type=float, default=DEFAULT_IDLE_MINUTES)
    ns = parser.parse_args(argv)
    Server(ns.book, ns.socket, ns.idle_minutes).serve()
    return 0


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


if __name__ == "__main__":
    sys.exit(main())
