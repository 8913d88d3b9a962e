"""The synthetic sample sites (samplesites.synthetic) in a separate process, driven over its stdin.

A separate process keeps the server's CPU off the crawler's books, and its
request log is the server-side count of what the crawler asked for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass
class SyntheticProcess:
    process: subprocess.Popen
    base_url: str

    @classmethod
    def start(cls, pages: int, sources_path: Path, *, per_list: int = 50) -> SyntheticProcess:
        process = subprocess.Popen(
            [sys.executable, "-m", "samplesites.synthetic", "--pages", str(pages), "--per-list", str(per_list),
             "--write-sources", str(sources_path)],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1,
        )
        line = process.stdout.readline().strip()
        if not line.startswith("serving "):
            process.kill()
            raise RuntimeError(f"synthetic server did not start: {line!r}")
        return cls(process, line.removeprefix("serving "))

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
