"""What the build client and the warm build server share: where a book's server lives, how
they talk (length-prefixed JSON with file descriptors), and Jupyter Book's own entry point."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import struct
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

TOKEN = ".d2lvi-server"  # in the build directory: the server's pid and socket


DEFAULT_IDLE_MINUTES = 30


STALE = "stale"  # the server's answer when it must be replaced


HEADER = struct.Struct("!I")


# Settings a process takes at its start, which a forked child cannot take over from the client.
STARTUP_ENV = ("PYTHONPATH", "PYTHONHOME", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONIOENCODING")


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
    except Exception as err:  # noqa: BLE001 - reported as the interpreter would, then status 1
        if _reported(err):
            print(err, file=sys.stderr)  # Jupyter Book's "look above for the cause" box
        else:
            sys.excepthook(*sys.exc_info())
        return 1
    return 0


def _reported(err: BaseException) -> bool:
    """Whether the build stopped on an error the book's extensions reported line by line.

    (Failing cells: each was logged with its file and line; a traceback would bury them.)
    """
    from d2lvi.site.preexecute import CellExecutionFailedError

    while err is not None:
        if isinstance(err, CellExecutionFailedError):
            return True
        err = err.__cause__ or err.__context__
    return False
