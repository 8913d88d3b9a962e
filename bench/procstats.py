"""Resident memory and CPU time of this process and its children, read from /proc (Linux).

`ru_maxrss` alone would miss the Prefect server (a child that outlives the
measurement) and says nothing about whether memory grows during a run, so
a sampler thread records the resident size as the run goes.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _status_kb(pid: int | str, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def rss_mb(pid: int | str = "self") -> float:
    return (_status_kb(pid, "VmRSS") or 0) / 1024


def peak_rss_mb(pid: int | str = "self") -> float:
    """The high-water mark of resident memory (VmHWM)."""
    return (_status_kb(pid, "VmHWM") or 0) / 1024


def reset_peak_rss() -> bool:
    """Start a new high-water mark for this process (Linux: write 5 to clear_refs); False when not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU seconds of a process (its own threads, not its children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _thread_group(name: str) -> str:
    """A thread's name with its numbers folded, so a pool's threads add up: 'ThreadPoolExecutor-0_3' -> 'ThreadPoolExecutor'."""
    return re.sub(r"[-_ ]*\d+(_\d+)?", "", name).strip() or name


def thread_cpu_seconds() -> dict[int, tuple[str, float]]:
    """CPU seconds of each live thread of this process: native id -> (group name, seconds).

    Threads that Python did not start (DuckDB's, the C libraries') have no
    Python name and are grouped as 'not Python (DuckDB, ...)'.
    """
    names = {t.native_id: t.name for t in threading.enumerate()}
    found: dict[int, tuple[str, float]] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tid = int(task.name)
        name = names.get(tid)
        group = "main thread" if tid == os.getpid() else _thread_group(name) if name else "not Python (DuckDB, ...)"
        found[tid] = (group, (int(fields[11]) + int(fields[12])) / _TICKS)
    return found


def thread_cpu_since(before: dict[int, tuple[str, float]], process_cpu_s: float) -> dict[str, float]:
    """CPU seconds per thread group since `before`; threads that ended meanwhile are 'ended threads'."""
    groups: dict[str, float] = defaultdict(float)
    for tid, (group, seconds) in thread_cpu_seconds().items():
        groups[group] += seconds - (before[tid][1] if tid in before else 0.0)
    ended = process_cpu_s - sum(groups.values())
    if ended > 0.05:
        groups["ended threads"] += ended
    return dict(groups)


def children(pid: int | str = "self") -> list[int]:
    """Direct child processes (all threads' children)."""
    base = Path(f"/proc/{pid}/task")
    found: list[int] = []
    try:
        for task in base.iterdir():
            text = (task / "children").read_text().split()
            found.extend(int(c) for c in text)
    except OSError:
        pass
    return sorted(set(found))


def descendants(pid: int | str = "self") -> list[int]:
    """Children, their children, and so on (forkserver workers are grandchildren)."""
    found, queue = [], children(pid)
    while queue:
        child = queue.pop()
        found.append(child)
        queue.extend(children(child))
    return sorted(found)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


@dataclass
class RssSampler:
    """Samples this process's resident memory every `interval_s` on a daemon thread."""

    interval_s: float = 0.5
    samples: list[tuple[float, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> RssSampler:
        started = time.perf_counter()

        def run() -> None:
            while not self._stop.is_set():
                self.samples.append((time.perf_counter() - started, rss_mb()))
                self._stop.wait(self.interval_s)

        self._thread = threading.Thread(target=run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def at_fractions(self, fractions=(0.25, 0.5, 0.75, 1.0)) -> list[tuple[float, float]]:
        """(fraction of the run, resident MB) at those points: flat memory shows as equal values."""
        if not self.samples:
            return []
        end = self.samples[-1][0] or 1.0
        out = []
        for fraction in fractions:
            best = min(self.samples, key=lambda s: abs(s[0] - fraction * end))
            out.append((fraction, best[1]))
        return out

    @property
    def peak_mb(self) -> float:
        return max((mb for _, mb in self.samples), default=0.0)


@dataclass
class GcClock:
    """Time this process spends in the cyclic garbage collector, per generation (gc.callbacks)."""

    seconds: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    collections: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    _started: dict[int, float] = field(default_factory=dict)

    def _callback(self, phase: str, info: dict) -> None:
        ident = threading.get_ident()
        if phase == "start":
            self._started[ident] = time.perf_counter()
        elif ident in self._started:
            generation = info.get("generation", -1)
            self.seconds[generation] += time.perf_counter() - self._started.pop(ident)
            self.collections[generation] += 1

    def install(self) -> GcClock:
        import gc

        gc.callbacks.append(self._callback)
        return self

    def uninstall(self) -> None:
        import gc

        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def reset(self) -> None:
        self.seconds.clear()
        self.collections.clear()

    def summary(self) -> str:
        return ", ".join(f"generation {g}: {self.collections[g]} in {self.seconds[g]:.2f} s"
                         for g in sorted(self.seconds)) or "none"
