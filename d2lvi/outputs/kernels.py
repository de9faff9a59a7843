"""Notebooks run in fresh Jupyter kernels, several at a time.

Every notebook gets its own new kernel: a kernel shared by two sections would carry one's
globals, changed module state and random state into the other, and outputs would then
depend on the order of execution. What a build pays once is the rest: one event loop drives
all kernels (``workers`` at a time, one per core by default), a worker hands its kernel over
to shut down in the background while it starts the next one, and when several notebooks
run, their kernels are forked from one process that has imported IPython and the book's
libraries once (``d2lvi.outputs.forks``, ``kernel_preload``).

A kernel start can fail on a loaded machine (a port taken between choice and bind, a start
slower than the timeout; nbclient then fails in its own clean-up with ``assert self.km is not
None``). The start is timed out generously, retried once with a new kernel, and if it fails
again the notebook's outcome says so in one line naming it.

Ctrl-C (SIGINT) while notebooks run cancels the pool as a whole instead of landing as a
KeyboardInterrupt inside whichever coroutine runs at that moment (where it tore a kernel
client down and the job was then reported as "kernel died"): every running job is cancelled,
its kernel shut down (bounded), no outcome is reported for it (so nothing half-run is cached
or stored), and ``execute_all`` raises ``Interrupted``, a KeyboardInterrupt.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

# Defaults sized for a loaded 2-core machine (pyproject's [tool.d2lvi] may override them).
START_TIMEOUT = 180
START_ATTEMPTS = 2


# A kernel's sockets closing while jupyter_client still polls them makes pyzmq log
# "Uncaught exception in ZMQStream callback" with a traceback through tornado's logger: noise
# after the notebook's outputs are complete, which buried the one-line errors users read.
logging.getLogger("tornado.general").setLevel(logging.CRITICAL)

@dataclass(frozen=True)
class Job:
    """One notebook to execute: the name messages give it, the notebook, its working folder."""

    name: str
    nb: nbformat.NotebookNode
    cwd: Path
    timeout: int | None = 300  # seconds per cell
    allow_errors: bool = False
    kernel_name: str | None = None  # None: the notebook's kernelspec


@dataclass
class Outcome:
    """What became of a job: the executed notebook, or a one-line error."""

    job: Job
    nb: nbformat.NotebookNode
    seconds: float = 0.0
    error: str | None = None  # one line; None when every cell ran (or errors were allowed)
    traceback: str = ""
    starts: int = 0  # kernel starts attempted
    forked: bool = False  # whether the kernel was forked from the fork server
    start_failed: bool = False  # no kernel could be started (``error`` says why)
    cell: int | None = None  # 0-based index of the failing cell, if a cell failed

    @property
    def ok(self) -> bool:
        """Whether the notebook executed to its end."""
        return self.error is None


@dataclass(frozen=True)
class Settings:
    """How kernels are started and how many run at once."""

    workers: int = 0  # 0: one per core
    start_timeout: int = START_TIMEOUT
    start_attempts: int = START_ATTEMPTS
    preload: tuple[str, ...] = ()  # modules the fork server imports (none: no fork server)
    extra: dict[str, Any] = field(default_factory=dict)  # more NotebookClient options
    log: Callable[[str], None] | None = None  # hears why kernels were not forked

    def pool_size(self, jobs: int) -> int:
        """How many kernels run at once for ``jobs`` notebooks."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
        return max(1, min(jobs, self.workers or cores))


class ExecutionError(RuntimeError):
    """A notebook that could not be executed to its end (the message is one line)."""


class KernelStartError(ExecutionError):
    """A kernel that did not start, after every attempt (the message is one line)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped the notebooks: ``finished`` of them had ended before it."""

    def __init__(self, finished: int, total: int) -> None:
        super().__init__(f"đã ngắt (interrupted, Ctrl-C): {finished}/{total} notebook đã chạy "
                         "xong; các notebook đang chạy bị bỏ, kernel của chúng đã dừng")
        self.finished, self.total = finished, total


def settings_from(config: dict[str, Any]) -> Settings:
    """Settings from ``[tool.d2lvi]`` (``execution_workers``, ``kernel_start_timeout``...)."""
    return Settings(workers=int(config.get("execution_workers", 0)),
                    start_timeout=int(config.get("kernel_start_timeout", START_TIMEOUT)),
                    start_attempts=max(1, int(config.get("kernel_start_attempts",
                                                         START_ATTEMPTS))),
                    preload=tuple(config.get("kernel_preload", ())))


def execute_all(jobs: list[Job], settings: Settings = Settings(),
                on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Execute every job in its own fresh kernel, ``settings.pool_size`` at a time.

    Outcomes come back in the order of ``jobs``; ``on_done`` hears of each as it ends.
    """
    if not jobs:
        return []

    def run() -> list[Outcome]:
        """The pool, on an event loop of its own; Ctrl-C cancels it as a whole."""
        loop = _PoolLoop()
        finished: list[Outcome] = []
        interrupted = threading.Event()

        def done(outcome: Outcome) -> None:
            """Report an outcome, unless Ctrl-C came first (its kernel may have been hit)."""
            if interrupted.is_set():
                return
            finished.append(outcome)
            if on_done is not None:
                on_done(outcome)

        main = loop.create_task(_execute_all(jobs, settings, done))

        def on_sigint(_signum: int, _frame: Any) -> None:
            """Ctrl-C: cancel the pool from the loop (its jobs shut their kernels down)."""
            interrupted.set()
            loop.call_soon_threadsafe(main.cancel)

        previous = _handle_sigint(on_sigint)
        try:
            return loop.run_until_complete(main)
        except asyncio.CancelledError:
            if interrupted.is_set():
                raise Interrupted(len(finished), len(jobs)) from None
            raise
        finally:
            _finish_pending(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            _handle_sigint(previous)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    # Called from inside a running event loop (Jupyter, Playwright's sync API): ours runs in
    # a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


class _PoolLoop(asyncio.SelectorEventLoop):
    """The pool's event loop: SIGINT is the pool's. nbclient adds a SIGINT handler for each
    notebook that kills that notebook's kernel and swallows Ctrl-C (the job was then reported
    as "kernel died" and the build went on), and its removal put back Python's default one."""

    def add_signal_handler(self, sig: int, callback: Any, *args: Any) -> None:
        """Any signal's handler but SIGINT's."""
        if sig != signal.SIGINT:
            super().add_signal_handler(sig, callback, *args)

    def remove_signal_handler(self, sig: int) -> bool:
        """Remove any signal's handler but SIGINT's (the pool's stays)."""
        return False if sig == signal.SIGINT else super().remove_signal_handler(sig)


def _handle_sigint(handler: Any) -> Any:
    """Install a SIGINT handler when on the main thread (only it can); the previous one."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, handler)


def _finish_pending(loop: asyncio.AbstractEventLoop) -> None:
    """After an interruption (Ctrl-C): stop the jobs still running, let kernels shut down."""
    jobs = asyncio.all_tasks(loop)
    for task in jobs:
        task.cancel()
    # A cancelled job schedules its kernel's shutdown as a task of its own: that one is
    # awaited (bounded), not cancelled, so no kernel is left behind.
    for cancel in (False, True):
        pending = asyncio.all_tasks(loop)
        if not pending:
            return
        if cancel:
            for task in pending:
                task.cancel()
        with contextlib.suppress(BaseException):
            loop.run_until_complete(asyncio.wait(pending, timeout=10))


async def _execute_all(jobs: list[Job], settings: Settings,
                       on_done: Callable[[Outcome], None] | None) -> list[Outcome]:
    """The pool: each worker takes the next job until none is left."""
    queue = list(enumerate(jobs))
    outcomes: list[Outcome | None] = [None] * len(jobs)
    shutdowns: list[asyncio.Task[None]] = []
    forks = start_forks(settings) if len(jobs) > 1 else None

    async def worker() -> None:
        """Run jobs one after the other until the queue is empty."""
        while queue:
            index, job = queue.pop(0)
            outcome = await run_job(job, settings, shutdowns, forks)
            outcomes[index] = outcome
            if on_done is not None:
                on_done(outcome)

    try:
        await asyncio.gather(*(worker() for _ in range(settings.pool_size(len(jobs)))))
        await asyncio.gather(*shutdowns, return_exceptions=True)
    finally:
        if forks is not None:
            forks.close()
    return [o for o in outcomes if o is not None]


def start_forks(settings: Settings) -> Any:
    """The build's fork server, or None (no preload configured, or it refused)."""
    if not settings.preload:
        return None
    from d2lvi.outputs.forks import ForkServerError, KernelForks

    try:
        return KernelForks(list(settings.preload))
    except (ForkServerError, OSError) as err:
        if settings.log is not None:
            settings.log(f"kernel mới cho từng mục, không fork (kernels not forked): {err}")
        return None


async def run_job(job: Job, settings: Settings,
                  shutdowns: list[asyncio.Task[None]] | None = None, forks: Any = None) -> Outcome:
    """Execute one notebook in a new kernel; its shutdown is left to ``shutdowns`` if given."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = job.nb
    client = NotebookClient(
        nb, timeout=job.timeout, allow_errors=job.allow_errors,
        startup_timeout=settings.start_timeout, record_timing=False,
        resources={"metadata": {"path": str(job.cwd)}},
        **({"kernel_name": job.kernel_name} if job.kernel_name else {}), **settings.extra)
    outcome = Outcome(job, nb)
    started = time.perf_counter()
    try:
        outcome.starts, outcome.forked = await start_kernel(client, job.name, settings, forks)
    except KernelStartError as err:
        outcome.starts = settings.start_attempts
        outcome.start_failed = True
        outcome.error = str(err)
        outcome.seconds = time.perf_counter() - started
        return outcome
    try:
        await execute_cells(client)
    except (CellExecutionError, CellTimeoutError) as err:
        outcome.cell = _failed_cell(nb)
        outcome.traceback = str(err)
        outcome.error = _one_line(err)
    except Exception as err:  # noqa: BLE001 - a kernel that died mid-way fails its job only
        outcome.traceback = "".join(traceback.format_exception(err))
        outcome.error = f"kernel dừng giữa chừng (kernel died): {_one_line(err)}"
    finally:
        outcome.seconds = time.perf_counter() - started
        done = asyncio.ensure_future(stop_kernel(client))
        if shutdowns is not None:
            shutdowns.append(done)
        else:
            await done
    return outcome


async def start_kernel(client: Any, name: str, settings: Settings,
                       forks: Any = None) -> tuple[int, bool]:
    """Start ``client``'s kernel and connect to it, retrying; starts taken, and whether forked.

    The first attempt forks the kernel when a fork server is given and the kernelspec is
    this interpreter's ipykernel; a retry always starts a new process.
    """
    last = ""
    for attempt in range(1, settings.start_attempts + 1):
        forked = False
        try:
            client.km = client.create_kernel_manager()
            if forks is not None and attempt == 1:
                from d2lvi.outputs.forks import attach

                forked = attach(client.km, forks)
            await client.async_start_new_kernel()
            await client.async_start_new_kernel_client()
            return attempt, forked
        except Exception as err:  # noqa: BLE001 - any failure to start is retried the same way
            last = _one_line(err) or type(err).__name__
            await discard_kernel(client)
    kernel = client.kernel_name or "python3"
    raise KernelStartError(
        f"{name}: không khởi động được kernel {kernel!r} sau {settings.start_attempts} lần thử "
        f"(kernel failed to start): {last}")


async def execute_cells(client: Any) -> None:
    """Run every cell in the started kernel; the kernel stays up (shut down separately)."""
    client.owns_km = False  # nbclient must not shut the kernel down inside execute()
    await client.async_execute()


async def stop_kernel(client: Any) -> None:
    """Shut the kernel down gracefully and close the client's channels."""
    with contextlib.suppress(Exception):  # a kernel that died already needs no shutdown
        if client.kc is not None:
            client.kc.stop_channels()
        if client.km is not None:
            if await client.km.is_alive():
                await client.km.shutdown_kernel(now=False)
            await _cleanup(client.km)
    client.kc = client.km = None


async def discard_kernel(client: Any) -> None:
    """After a failed start: kill whatever was started and forget it."""
    with contextlib.suppress(Exception):
        if client.kc is not None:
            client.kc.stop_channels()
    km = client.km
    if km is not None:
        with contextlib.suppress(Exception):
            if km.has_kernel:
                await km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            await _cleanup(km)
    client.kc = client.km = None


async def _cleanup(km: Any) -> None:
    """``cleanup_resources`` of a sync or async kernel manager."""
    result = km.cleanup_resources()
    if asyncio.iscoroutine(result):
        await result


def _failed_cell(nb: nbformat.NotebookNode) -> int | None:
    """The index of the first code cell whose outputs hold an error."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(o.get("output_type") == "error"
                                            for o in cell.get("outputs", [])):
            return index
    return None


def _one_line(err: BaseException) -> str:
    """An error as one line: ``Name: message`` for a cell error, else its first line."""
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    if ename:
        return f"{ename}: {evalue}".splitlines()[0] if evalue else str(ename)
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
