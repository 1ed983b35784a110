"""`tlboard --logdir DIR`: serve the dashboard for a directory of event files."""

from __future__ import annotations

import argparse
import os
import socket
import sys

EXIT_USAGE = 2


def parse_samples(text: str) -> dict[str, int]:
    """`scalars=500,images=10` -> {"scalars": 500, "images": 10} (0 keeps everything)."""
    samples: dict[str, int] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, count = part.partition("=")
        if not sep or not name.strip() or not count.strip().isdigit():
            raise ValueError(f"bad --samples_per_plugin entry {part!r} (expected plugin=N)")
        samples[name.strip()] = int(count)
    return {k: v for k, v in samples.items() if v > 0}


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(prog="tlboard", description="Serve a dashboard for TensorBoard event files.")
    parser.add_argument("--logdir", required=True, help="directory of runs, or name1:dir1,name2:dir2")
    parser.add_argument("--port", type=int, default=6006, help="TCP port (0 picks a free one); default 6006")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind; default 127.0.0.1 (local only)")
    parser.add_argument(
        "--reload-interval",
        "--reload_interval",
        dest="reload_interval",
        type=float,
        default=5.0,
        help="seconds between scans for new data; default 5",
    )
    parser.add_argument(
        "--samples_per_plugin",
        "--samples-per-plugin",
        dest="samples",
        default="",
        help="cap points served per series, e.g. scalars=1000,images=10 (evenly spaced, last kept); "
        "default keeps everything",
    )
    parser.add_argument(
        "--purge",
        choices=("evict", "all"),
        default="evict",
        help="on a step going backwards: 'evict' drops kept points with step >= it (TensorBoard's fast "
        "loader); 'all' keeps every point in file order",
    )
    return parser


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> int:
    """Run the dashboard server until Ctrl-C; returns the process exit code."""
    args = build_parser().parse_args(argv)

    def fail(message: str) -> int:
        print(f"tlboard: error: {message}", file=sys.stderr)
        return EXIT_USAGE

    from tlboard.dashboard.loader import parse_logdir_spec  # light module; the server stack loads later

    try:
        roots = parse_logdir_spec(args.logdir)
        samples = parse_samples(args.samples)
    except ValueError as exc:
        return fail(str(exc))
    missing = [path for _, path in roots if not os.path.isdir(path)]
    if missing:
        return fail(f"logdir {missing[0]!r} does not exist or is not a directory")
    if not 0 <= args.port <= 65535:
        return fail(f"port {args.port} out of range 0-65535")
    if args.reload_interval <= 0:
        return fail("--reload-interval must be positive")
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        reason = "already in use" if exc.errno in (98, 48, 10048) else (exc.strerror or str(exc))
        return fail(f"cannot listen on {args.host}:{args.port}: {reason}")

    import uvicorn

    from tlboard.dashboard.app import create_app

    app = create_app(args.logdir, reload_interval=args.reload_interval, samples=samples, purge=args.purge)
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"tlboard: serving {args.logdir} at http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
