"""Executors: the same batch tasks in local worker processes or as Ray tasks.

Both call `batch_worker.render_task`, which writes straight into the batch folder, so both give
the same outputs; with a Ray cluster that folder (and the listings) must be on storage every
node sees, and every node needs ad2video installed.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import signal
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from ad2video.batch_worker import EventSink, Task, failed_row, now_iso, render_task
from ad2video.errors import UserError

OnEvent = Callable[[tuple[str, ...]], None]
OnResult = Callable[[dict[str, Any]], None]

_EVENTS: EventSink | None = None  # set in each worker process by _init_worker


def _init_worker(events: EventSink, parent: int) -> None:
    global _EVENTS
    _EVENTS = events
    # A worker dies with the batch (kill -9 included): no orphan finishes a render behind
    # the back of the run that resumes. Linux only; elsewhere the per-name lock still holds.
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _run_in_worker(task: Task) -> dict[str, Any]:
    if _EVENTS is not None:
        _EVENTS.put(("start", task.item.name))
    return render_task(task, _EVENTS)


def _drain(events: Any, on_event: OnEvent) -> None:
    while True:
        try:
            on_event(events.get_nowait())
        except (queue.Empty, EOFError, OSError):
            return
        except Exception as exc:  # ray.util.queue.Empty is not queue.Empty
            if type(exc).__name__ == "Empty":
                return
            raise


def _crashed(task: Task, exc: BaseException) -> dict[str, Any]:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return failed_row(task.item, f"worker died: {reason}", now_iso(), 0.0, task.key)


def run_local(tasks: list[Task], jobs: int, on_event: OnEvent, on_result: OnResult) -> None:
    """Run tasks in `jobs` worker processes (spawned: no fork of a threaded parent)."""
    if not tasks:
        return
    ctx = mp.get_context("spawn")
    events = ctx.Queue()
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), mp_context=ctx,
                               initializer=_init_worker, initargs=(events, os.getpid()))
    try:
        pending: dict[Future, Task] = {pool.submit(_run_in_worker, t): t for t in tasks}
        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(events, on_event)
            for fut in done:
                task = pending.pop(fut)
                try:
                    on_result(fut.result())
                except Exception as exc:  # the worker process died (BrokenProcessPool)
                    on_result(_crashed(task, exc))
    except BaseException:  # Ctrl-C: stop now; half-done renders stay in .batch/tmp
        workers = list((getattr(pool, "_processes", None) or {}).values())  # private: careful
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in workers:
            proc.terminate()
        raise
    pool.shutdown(wait=True)
    _drain(events, on_event)


def _ray_task(task: Task, events: Any) -> dict[str, Any]:
    with contextlib.suppress(Exception):
        events.put(("start", task.item.name))
    return render_task(task, events)


def _ray_init(address: str | None) -> tuple[Any, bool]:
    """The ray module, and whether this call started Ray (then we also shut it down)."""
    try:
        import ray
    except ImportError:
        raise UserError("--executor ray needs Ray: pip install 'ad2video[ray]'") from None
    if ray.is_initialized():
        return ray, False
    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 logging_level="ERROR")
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = address or "a local Ray"
        raise UserError(f"cannot start Ray ({where}): {' '.join(str(exc).split())}") from None
    return ray, True


def run_ray(tasks: list[Task], jobs: int | None, address: str | None, on_event: OnEvent,
            on_result: OnResult) -> None:
    """Run tasks as Ray tasks, at most `jobs` at once (default: the cluster's CPUs)."""
    if not tasks:
        return
    ray, started = _ray_init(address)
    from ray.util.queue import Queue

    try:
        events = Queue()
        remote = ray.remote(num_cpus=1, max_retries=0)(_ray_task)
        limit = jobs or max(1, int(ray.cluster_resources().get("CPU", 1)))
        todo, running = list(tasks), {}
        while todo or running:
            while todo and len(running) < limit:
                task = todo.pop(0)
                running[remote.remote(task, events)] = task
            ready, _ = ray.wait(list(running), num_returns=1, timeout=0.2)
            _drain(events, on_event)
            for ref in ready:
                task = running.pop(ref)
                try:
                    on_result(ray.get(ref))
                except Exception as exc:  # the task's worker died
                    on_result(_crashed(task, exc))
        time.sleep(0.05)
        _drain(events, on_event)
    finally:
        if started:
            ray.shutdown()
