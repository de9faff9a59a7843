"""The warm build server: builds through it equal direct builds; its life cycle."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from d2lvi.build import protocol
from d2lvi.build.protocol import (
    enabled,
    named_server,
    recv_message,
    send_message,
    socket_path,
    token_path,
)
from d2lvi.build.scratch import copy_book, make_command
from d2lvi.build.server import book_extensions, changed_files, modules_fingerprint

CHAPTER = Path("chapter_cnn/transposed-conv.md")


# --- The pure parts -----------------------------------------------------------------------


def test_a_message_and_its_descriptors_cross_the_socket() -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    read, write = os.pipe()
    big = {"env": {"X": "ư" * 200_000}, "argv": ["jupyter-book", "build", "."]}  # > one recv
    with left, right:
        sender = threading.Thread(target=send_message, args=(left, big, [write]))
        sender.start()  # the message is bigger than the socket's buffer: read meanwhile
        message, fds = recv_message(right)
        sender.join()
    assert message == big and len(fds) == 1
    os.write(fds[0], b"qua socket")
    assert os.read(read, 64) == b"qua socket"
    for fd in (read, write, *fds):
        os.close(fd)


def test_the_fingerprint_names_a_module_file_edited_or_removed(tmp_path: Path,
                                                               monkeypatch) -> None:
    module = tmp_path / "d2lvi_probe_module.py"
    module.write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("d2lvi_probe_module")
    try:
        stamps = modules_fingerprint()
        assert str(module) in stamps and changed_files(stamps) == []
        os.utime(module, ns=(stamps[str(module)] + 10**9,) * 2)
        assert changed_files(stamps) == [str(module)]
        module.unlink()
        assert changed_files(stamps) == [str(module)]
    finally:
        sys.modules.pop("d2lvi_probe_module", None)


def test_the_switch_and_the_socket_place() -> None:
    assert enabled({}) is (sys.platform == "linux")
    assert not enabled({"D2LVI_BUILD_SERVER": "0"}) and not enabled({"D2LVI_BUILD_SERVER": "off"})
    one, two = socket_path(Path("/a/book")), socket_path(Path("/b/book"))
    assert one != two and one.parent == two.parent == socket_path(Path("/a/book")).parent
    assert one.parent.name == f"d2lvi-{os.getuid()}" and len(str(one)) < 100


def test_the_extensions_to_import_come_from_the_books_config(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("sphinx:\n  config:\n    extensions: [a.b, c]\n")
    assert book_extensions(tmp_path) == ["a.b", "c"]
    (tmp_path / "_config.yml").write_text("sphinx: [\n")
    assert book_extensions(tmp_path) == []
    assert book_extensions(tmp_path / "missing") == []


# --- The real book, built through the server ----------------------------------------------


def make_html(book: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`make html` in the copy (through the server unless env says otherwise)."""
    return subprocess.run(make_command("html"), cwd=book, capture_output=True, text=True,
                          env={**os.environ, "D2LVI_BUILD_SERVER": "1", **env}, timeout=600)


def alive(pid: int) -> bool:
    """Whether a process is still running (not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_gone(pid: int, seconds: float = 10) -> bool:
    """Wait for a process to exit; whether it did."""
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not alive(pid)


def html_files(root: Path) -> dict[str, bytes]:
    """Every file of a built site, by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory):
    """A copy of the book, built once directly (no server); its server stopped at the end."""
    copy = copy_book(tmp_path_factory.mktemp("served") / "book")
    proc = make_html(copy, D2LVI_BUILD_SERVER="0")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert named_server(copy) is None
    shutil.copytree(copy / "_build" / "html", copy.parent / "direct")
    yield copy
    protocol.stop(socket_path(copy))


def test_builds_through_the_server_equal_the_direct_build(book: Path) -> None:
    direct = html_files(book.parent / "direct")
    pids = []
    for _ in range(2):  # the first starts the server, the second is served warm
        shutil.rmtree(book / "_build" / "html")
        proc = make_html(book)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "mọi đầu ra khớp kết quả đã lưu" in proc.stdout  # the gate ran, in the child
        pids.append(named_server(book))
        assert html_files(book / "_build" / "html") == direct
    assert pids[0] == pids[1] and alive(pids[0])


def test_a_failing_build_reports_through_the_client_and_the_server_stays(book: Path) -> None:
    chapter = book / CHAPTER
    text = chapter.read_text()
    chapter.write_text(text.replace("trans_conv(X, K)\n```", "trans_conv(X, K_undefined)\n```",
                                    1))
    try:
        proc = make_html(book)
        assert proc.returncode != 0
        assert "K_undefined" in proc.stdout + proc.stderr
    finally:
        chapter.write_text(text)
    pid = named_server(book)
    assert pid is not None and alive(pid)
    assert make_html(book).returncode == 0


def test_a_changed_start_up_setting_replaces_the_server(book: Path, tmp_path: Path) -> None:
    assert make_html(book).returncode == 0
    before = named_server(book)
    (book / CHAPTER).touch()
    proc = make_html(book, PYTHONPATH=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = named_server(book)
    log = (book / "_build" / ".d2lvi-server.log").read_text(errors="replace")
    assert after not in (None, before), f"server {before} -> {after}; its log:\n{log}"
    assert wait_gone(before)


def test_ctrl_c_stops_the_build_but_not_the_server(book: Path) -> None:
    """SIGINT to the client reaches the build child, as Ctrl-C would in a terminal: the build
    says it was interrupted (no kernel reported dead), and no kernel is left running."""
    (book / CHAPTER).touch()  # a build, so a server of this test's settings
    assert make_html(book).returncode == 0
    pid = named_server(book)
    shutil.rmtree(book / "_build" / ".jupyter_cache")  # the cells run again: a long build
    (book / CHAPTER).touch()
    client = subprocess.Popen([sys.executable, "-m", "d2lvi", "build", ".", "-W"], cwd=book,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "D2LVI_BUILD_SERVER": "1"})
    lines = []
    for line in client.stdout:  # however slow the machine: Ctrl-C once kernels run
        lines.append(line)
        if re.search(r"\[d2lvi\.preexecute\] chạy \d+ mục", line):
            time.sleep(1)
            client.send_signal(signal.SIGINT)
            break
    out = "".join(lines) + client.communicate(timeout=120)[0]
    assert client.returncode != 0, out
    assert re.search(r"\[d2lvi\.preexecute\] chạy \d+ mục", out), out
    assert "đã ngắt (interrupted, Ctrl-C)" in out, out
    assert "kernel died" not in out and "Traceback" not in out, out
    assert "build succeeded" not in out
    assert named_server(book) == pid and alive(pid)
    assert not kernels_under(book), "a kernel outlived the interrupted build"


def kernels_under(book: Path) -> list[str]:
    """Kernel processes (forked or started) whose working folder is in the book."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if ("ipykernel" in cmdline or "d2lvi.outputs.forks" in cmdline) \
                and cwd.startswith(str(book)):
            found.append(cmdline)
    return found


def test_a_new_build_directory_gets_a_new_server(book: Path) -> None:
    assert make_html(book).returncode == 0
    before = named_server(book)
    shutil.rmtree(book / "_build")  # a cold build: nothing of the last one is reused
    proc = make_html(book)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert named_server(book) not in (None, before) and wait_gone(before)


def test_an_idle_server_exits_and_no_server_is_started_when_switched_off(tmp_path: Path) -> None:
    copy = copy_book(tmp_path / "book")
    config = copy / "pyproject.toml"
    text = config.read_text()
    assert "build_server_idle_minutes = 30\n" in text
    config.write_text(text.replace("idle_minutes = 30", "idle_minutes = 0.02"))
    proc = make_html(copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pid = named_server(copy)
    assert pid is not None and wait_gone(pid, 20)
    assert not token_path(copy).exists() and not socket_path(copy).exists()

    (copy / CHAPTER).touch()
    proc = make_html(copy, D2LVI_BUILD_SERVER="0")
    assert proc.returncode == 0 and named_server(copy) is None
