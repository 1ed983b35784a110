"""`tf.app`: `tf.app.run` and `tf.app.flags` (see tlboard/flags.py for how flags parse)."""
from __future__ import annotations

import sys
from collections.abc import Callable

from tlboard import flags

__all__ = ["run", "flags"]

_HELP_FLAGS = ("--help", "--helpshort", "--helpfull", "-?")


def run(main: Callable[[list[str]], object] | None = None, argv: list[str] | None = None):
    """Parses flags from `argv` (default sys.argv), runs `main(remaining_argv)` and exits with its return value.

    `main` defaults to the `main` function of the `__main__` module. Unknown flags are left in the argv given
    to `main`; a bad flag value prints `FATAL Flags parsing error: ...` to stderr and exits with status 1;
    `--help` prints the defined flags and exits with status 0.
    """
    if main is None:
        main = sys.modules["__main__"].main
    args = list(sys.argv if argv is None else argv)
    before_dashes = args[1:args.index("--")] if "--" in args else args[1:]
    if any(a in _HELP_FLAGS for a in before_dashes):
        sys.stdout.write(flags.FLAGS.help_text(args[0] if args else None))
        sys.exit(0)
    try:
        remaining = flags.FLAGS(args, known_only=True)
    except flags.Error as e:
        sys.stderr.write(f"FATAL Flags parsing error: {e}\nPass --help to see help on flags.\n")
        sys.exit(1)
    sys.exit(main(remaining))
