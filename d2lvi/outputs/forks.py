"""Kernels forked from one warm process: Python, IPython and the book's libraries loaded once.

A section's kernel spends most of its time before its first line runs: starting Python,
importing IPython and ipykernel (~0.5 s), then MXNet and d2l in the first cell (~1.8 s),
the same work for every section. Here one process per build (the *fork server*) imports
them once; every section's kernel is a ``fork`` of it that becomes an ordinary ipykernel on
the connection file jupyter_client wrote. Each section still gets its own fresh kernel —
its own namespace, startup file (the RNG seeding) and execution counter — only the imports
are shared, copy-on-write.

Where this is safe, and what keeps it so:

- Only the modules named in ``[tool.d2lvi] kernel_preload`` are imported ahead, with the
  environment a kernel has (``MPLBACKEND`` as ipykernel sets it, one thread per kernel).
  If importing them prints anything or raises a warning, a section importing them in a
  new kernel would show it and a forked one would not; if they import a module that hooks
  into IPython on import (``matplotlib.pyplot``: d2l imports it), that hook would miss the
  kernel's IPython. The server then refuses, and every section gets a new kernel as before
  (one log line says why).
- Math libraries run one thread per kernel in both kinds of kernel (``THREADS``, also set
  by the seeding startup file): MXNet caps a forked child at one OpenMP thread, and a
  reduction must not depend on whether its kernel was forked.
- Only kernels of this very interpreter running ``ipykernel_launcher`` are forked; any
  other kernelspec is started as usual. A fork that fails is retried as a new kernel.
- The output gate compares every output with the stored one, whichever way it was made.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import uuid
import warnings
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

# One thread per kernel (the pool runs one kernel per core); set for new kernels too.
THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Never preloaded, even as a dependency of a preloaded module (see ``preload``).
NEEDS_IPYTHON = ("matplotlib.pyplot", "matplotlib_inline.backend_inline")
LAUNCHER = ("-m", "ipykernel_launcher")


class ForkServerError(RuntimeError):
    """The fork server could not start or refused its preload (one-line message)."""


# --- the server: one process, forked into kernels --------------------------------------------

def preload(names: list[str]) -> str | None:
    """Import ``names`` as a kernel would; why forking after it would be unsafe, else None."""
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)  # as ipykernel does before any cell
    with tempfile.TemporaryFile() as captured, warnings.catch_warnings(record=True) as caught:
        saved = [os.dup(1), os.dup(2)]
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(captured.fileno(), 1)
        os.dup2(captured.fileno(), 2)
        try:
            with contextlib.redirect_stdout(io.StringIO()) as out, \
                    contextlib.redirect_stderr(io.StringIO()) as err:
                import ipykernel.kernelapp  # noqa: F401 - what every kernel imports first

                for name in names:
                    __import__(name)
        except Exception as error:  # noqa: BLE001 - reported, and nothing is forked
            return f"import: {type(error).__name__}: {error}"
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
        captured.seek(0)
        printed = (out.getvalue() + err.getvalue()
                   + captured.read().decode(errors="replace")).strip()
    if printed:
        return f"in ra khi import (printed on import): {printed.splitlines()[0][:200]}"
    # Modules that hook into IPython when imported: before the kernel's IPython exists they
    # hook into nothing (pyplot then fails at the first plot: matplotlib-inline calls a
    # function IPython 9.16 removed). A kernel must import them itself.
    early = sorted(m for m in NEEDS_IPYTHON if m in sys.modules)
    if early:
        return (f"{', '.join(early)} phải được nạp sau IPython của kernel "
                "(must be imported after the kernel's IPython)")
    if caught:
        first = caught[0]
        return f"cảnh báo khi import (warned on import): {first.category.__name__}: {first.message}"
    return None


def serve(names: list[str], replies: int) -> int:
    """Preload, then fork a kernel for each request line on stdin until stdin closes."""
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]  # as ipykernel_launcher does; the kernel adds its cwd back
    # Ctrl-C in a terminal reaches the whole foreground group, this server too: the build
    # stops it by closing stdin, and its kernels are stopped by the build (no traceback here).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(replies, "w", buffering=1)
    problem = preload(names)
    children: list[int] = []
    try:
        out.write(json.dumps({"ready": problem is None, "problem": problem}) + "\n")
        if problem is not None:
            return 1
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped without waiting
        for line in sys.stdin:
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:  # the kernel: leaves the loop and exits as a kernel process does
                out.close()
                return become_kernel(request)
            children.append(pid)
            out.write(json.dumps({"pid": pid}) + "\n")
    except BrokenPipeError:  # the build went (interrupted) before reading the reply
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    for pid in children:  # the build went: no kernel outlives it
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return 0


def become_kernel(request: dict[str, Any]) -> int:
    """In a forked child: run an ipykernel as ``python -m ipykernel_launcher``; its status.

    The caller returns the status to the interpreter, so the kernel exits as any Python
    process does (exit handlers run, open files are flushed).
    """
    try:
        os.setsid()  # its own process group, as jupyter_client starts kernels
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # ipykernel sets its own
        sys.stdin.close()
        os.close(0)
        os.open(os.devnull, os.O_RDONLY)
        os.chdir(request["cwd"])
        # The preloaded libraries configured the root logger, so pyzmq's shutdown-race
        # report ("Uncaught exception in ZMQStream callback", a closed socket after the last
        # reply) would reach the build's terminal as a traceback: noise, as in the build.
        logging.getLogger("tornado.general").setLevel(logging.CRITICAL)
        os.environ.clear()
        os.environ.update(request["env"])
        # Exit with the server (ipykernel read JPY_PARENT_PID when the server imported it).
        server = os.getppid()
        os.environ["JPY_PARENT_PID"] = str(server)
        import ipykernel_launcher
        from ipykernel import kernelapp

        sys.argv = [ipykernel_launcher.__file__, *request["argv"]]
        kernelapp.launch_new_instance([*request["argv"], f"--IPKernelApp.parent_handle={server}"])
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported like a kernel that crashed on start
        import traceback

        traceback.print_exc()
        return 1
    return 0


# --- the build's side ------------------------------------------------------------------------

class KernelForks:
    """A running fork server for this build; ``fork`` returns a new kernel's pid."""

    def __init__(self, names: list[str]) -> None:
        read, write = os.pipe()
        env = {**os.environ, **THREADS}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "d2lvi.outputs.forks", "--replies", str(write), *names],
            stdin=subprocess.PIPE, pass_fds=(write,), env=env, text=True)
        os.close(write)
        self.replies = os.fdopen(read, "r")
        ready = self._reply()
        if not ready.get("ready"):
            self.close()
            raise ForkServerError(ready.get("problem") or "fork server did not start")

    def _reply(self) -> dict[str, Any]:
        """The server's next reply line (empty when it went)."""
        line = self.replies.readline()
        return json.loads(line) if line.strip() else {}

    def fork(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        """A new kernel process running with ``argv`` (ipykernel's), ``cwd`` and ``env``."""
        if self.process.poll() is not None or self.process.stdin is None:
            raise ForkServerError("fork server is gone")
        self.process.stdin.write(json.dumps({"argv": argv, "cwd": cwd, "env": env}) + "\n")
        self.process.stdin.flush()
        pid = self._reply().get("pid")
        if not isinstance(pid, int):
            raise ForkServerError("fork server gave no kernel")
        return pid

    def close(self) -> None:
        """Stop the server (its kernels with it)."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.replies.close()


class ForkedProcess:
    """The part of ``subprocess.Popen`` jupyter_client uses, for a kernel the server forked."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """None while the kernel runs (the server reaps it, so its status is not known)."""
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit status, once the kernel has gone (callers poll first)."""
        return self.poll() or 0

    def send_signal(self, sig: int) -> None:
        """Signal the kernel."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        """SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL."""
        self.send_signal(signal.SIGKILL)


class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
    """jupyter_client's local provisioner, launching by asking the fork server."""

    forks: KernelForks | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        """Fork a kernel instead of starting a new process."""
        assert self.forks is not None
        pid = self.forks.fork(cmd[len(LAUNCHER) + 1:], str(kwargs.get("cwd") or os.getcwd()),
                              dict(kwargs.get("env") or os.environ))
        self.process = ForkedProcess(pid)
        self.pid = self.pgid = pid
        self.cwd = kwargs.get("cwd", Path.cwd())
        return self.connection_info


def forkable(argv: list[str]) -> bool:
    """Whether a kernelspec's command is this interpreter running ipykernel_launcher."""
    if len(argv) < 3 or tuple(argv[1:3]) != LAUNCHER:
        return False
    exe = argv[0]
    return exe in ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}") \
        or os.path.realpath(exe) == os.path.realpath(sys.executable)


def attach(km: Any, forks: KernelForks) -> bool:
    """Make ``km`` fork its kernel from ``forks``; False when its kernelspec is another one."""
    if not forkable(list(km.kernel_spec.argv)):
        return False
    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    provisioner.forks = forks
    km.provisioner = provisioner
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m d2lvi.outputs.forks --replies FD MODULE...``: run a fork server."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or args[0] != "--replies":
        print("dùng: python -m d2lvi.outputs.forks --replies FD [MODULE...]", file=sys.stderr)
        return 2
    return serve(args[2:], int(args[1]))


if __name__ == "__main__":
    sys.exit(main())
