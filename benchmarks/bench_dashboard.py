"""Dashboard benchmark: time-to-all-scalars and peak RSS, tlboard vs stock TensorBoard.

Writes (once, cached) a logdir of RUNS x TAGS x STEPS scalars with tensorboardX, then for each server
measures the wall time from process start until every series has been fetched in full from
/data/plugin/scalars/scalars, and the peak RSS of the server's process tree (sampled from /proc).
Finally the median latency of one full-series request on tlboard.

    python benchmarks/bench_dashboard.py [--cache DIR] [--skip-tensorboard] [--steps N]

Targets (issue 4): tlboard <= 0.5x the Rust data server's time and <= 0.25x its peak memory;
one 10,000-point series request < 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

RUNS, TAGS, STEPS = 10, 10, 10_000


def generate(logdir: str, runs: int, tags: int, steps: int) -> None:
    """Write the benchmark logdir with tensorboardX unless a complete copy is already there."""
    marker = os.path.join(logdir, f".complete-{runs}x{tags}x{steps}")
    if os.path.exists(marker):
        return
    from tensorboardX import SummaryWriter

    started = time.perf_counter()
    for r in range(runs):
        writer = SummaryWriter(os.path.join(logdir, f"run{r:02d}"), max_queue=10_000, flush_secs=600)
        for step in range(steps):
            for t in range(tags):
                value = ((step * (t + 1) + r) % 997) / 997.0
                writer.add_scalar(f"metrics/tag{t:02d}", value, step)
        writer.close()
    open(marker, "w").close()
    print(f"generated {runs}x{tags}x{steps} scalars in {time.perf_counter() - started:.1f} s", flush=True)


def free_port() -> int:
    """A port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_bytes(root_pid: int) -> int:
    """Sum of VmRSS over a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
    return total


class PeakSampler(threading.Thread):
    """Samples the process tree's RSS every few milliseconds and keeps the maximum."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._stop_flag = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._stop_flag.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._stop_flag.wait(0.02)

    def stop(self) -> int:
        self._stop_flag.set()
        self.join()
        return self.peak


def fetch_json(url: str, timeout: float = 30) -> object | None:
    """GET url as JSON; None on connection errors or non-200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return json.loads(resp.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return None


def measure(cmd: list[str], port_holder: dict, runs: int, tags: int, steps: int, timeout: float) -> dict:
    """Start `cmd`, poll every series until complete; returns seconds, peak RSS and the process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = PeakSampler(proc.pid)
    sampler.start()
    port = port_holder.get("port")
    if port is None:  # tlboard --port 0 prints the URL it got
        for line in proc.stdout:
            if "http://" in line:
                port = int(line.rsplit(":", 1)[1].split("/")[0])
                break
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    pending = [(f"run{r:02d}", f"metrics/tag{t:02d}") for r in range(runs) for t in range(tags)]
    while pending and time.perf_counter() - started < timeout:
        still = []
        for run, tag in pending:
            query = urllib.parse.urlencode({"run": run, "tag": tag})
            rows = fetch_json(f"{base}/data/plugin/scalars/scalars?{query}")
            if not isinstance(rows, list) or len(rows) < steps:
                still.append((run, tag))
        pending = still
        if pending:
            time.sleep(0.05)
    elapsed = time.perf_counter() - started
    peak = sampler.stop()
    return {"seconds": elapsed, "peak_rss": peak, "complete": not pending, "proc": proc, "base": base}


def stop(proc: subprocess.Popen) -> None:
    """SIGINT, then kill if it lingers."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    """Run the benchmark and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "tlboard_bench_logdir"))
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--tags", type=int, default=TAGS)
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--skip-tensorboard", action="store_true")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    logdir = os.path.join(args.cache, f"{args.runs}x{args.tags}x{args.steps}")
    os.makedirs(logdir, exist_ok=True)
    generate(logdir, args.runs, args.tags, args.steps)
    shape = (args.runs, args.tags, args.steps)

    results = {}
    ours = measure(
        [sys.executable, "-m", "tlboard", "--logdir", logdir, "--port", "0", "--reload-interval", "1"],
        {}, *shape, args.timeout,
    )
    # Single-series latency on the warm tlboard server.
    query = urllib.parse.urlencode({"run": "run00", "tag": "metrics/tag00"})
    latencies = []
    for _ in range(20):
        t = time.perf_counter()
        rows = fetch_json(f"{ours['base']}/data/plugin/scalars/scalars?{query}")
        latencies.append(time.perf_counter() - t)
        assert isinstance(rows, list) and len(rows) == args.steps
    stop(ours["proc"])
    results["tlboard"] = ours

    if not args.skip_tensorboard:
        for name, fast in (("tensorboard --load_fast=false", "false"), ("tensorboard --load_fast=true", "true")):
            port = free_port()
            cmd = [
                sys.executable, "-m", "tensorboard.main", "--logdir", logdir, "--port", str(port),
                "--host", "127.0.0.1", f"--load_fast={fast}", "--samples_per_plugin", f"scalars={args.steps}",
                "--reload_interval", "1",
            ]
            res = measure(cmd, {"port": port}, *shape, args.timeout)
            stop(res["proc"])
            results[name] = res

    print(f"\nlogdir: {args.runs} runs x {args.tags} tags x {args.steps} steps (tensorboardX), {os.cpu_count()} CPUs")
    print(f"{'server':34s} {'time to all series':>20s} {'peak RSS (tree)':>16s}")
    for name, res in results.items():
        done = "" if res["complete"] else "  (INCOMPLETE: timed out)"
        print(f"{name:34s} {res['seconds']:18.2f} s {res['peak_rss'] / 2**20:13.1f} MiB{done}")
    print(f"tlboard one {args.steps}-point series: median {statistics.median(latencies) * 1e3:.1f} ms "
          f"(min {min(latencies) * 1e3:.1f}, max {max(latencies) * 1e3:.1f}) over 20 requests")
    rust = results.get("tensorboard --load_fast=true")
    if rust:
        print(f"ratios vs Rust data server: time {ours['seconds'] / rust['seconds']:.2f}x (target <= 0.5), "
              f"peak memory {ours['peak_rss'] / rust['peak_rss']:.2f}x (target <= 0.25)")
    slow = results.get("tensorboard --load_fast=false")
    if slow:
        print(f"ratios vs Python loader: time {ours['seconds'] / slow['seconds']:.2f}x, "
              f"peak memory {ours['peak_rss'] / slow['peak_rss']:.2f}x")


if __name__ == "__main__":
    main()
