"""`tf.app.flags`: command-line flags defined with `DEFINE_*` and read from `FLAGS`.

Behaviour of TF 1.5 and later, whose flags are absl's behind a wrapper:

- `FLAGS(argv, known_only=False)` parses `argv` (argv[0] is the program name) and returns argv[0] plus the
  arguments it did not consume; with `known_only=False` an unknown `--flag` raises UnrecognizedFlagError.
- Reading a flag from `FLAGS` before any parse parses `sys.argv` first, ignoring unknown flags (TF 1.x's
  wrapper does this; plain absl would raise UnparsedFlagAccessError instead).
- Values are written `--name=value` or `--name value`; booleans as `--name`, `--noname` or
  `--name=true|false|1|0|t|f|yes|no` (a boolean never takes the next argument as its value); lists as
  comma-separated text. A bad value raises IllegalFlagValueError naming the flag (`tf.app.run` prints it and
  exits with status 1).
- Only the `--name` spelling is accepted (absl also takes `-name`). Parsing is done with argparse; under
  `tf.app.run`, `--help` prints the flags and exits.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["FLAGS", "FlagValues", "Flag", "Error", "IllegalFlagValueError", "UnrecognizedFlagError",
           "DuplicateFlagError", "DEFINE_string", "DEFINE_integer", "DEFINE_float", "DEFINE_boolean", "DEFINE_bool",
           "DEFINE_list", "DEFINE_enum"]


class Error(Exception):
    """The base class of flag errors."""


class IllegalFlagValueError(Error):
    """A flag was given a value it does not accept."""


class UnrecognizedFlagError(Error):
    """argv names a flag that is not defined."""


class DuplicateFlagError(Error):
    """A flag of that name is already defined."""


_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


class Flag:
    """One defined flag: its name, default, help text, current value and how text is parsed into a value."""

    def __init__(self, name: str, default: Any, help: str | None, kind: str, parse: Callable[[Any], Any],
                 enum_values: list[str] | None = None):
        self.name = name
        self.help = help or ""
        self.kind = kind
        self.enum_values = enum_values
        self._parse = parse
        self.default = None if default is None else self.parse(default)
        self.value = self.default
        self.present = 0  # how many times argv gave it

    def parse(self, text: Any) -> Any:
        """The value `text` stands for; IllegalFlagValueError names the flag when it is not acceptable."""
        try:
            return self._parse(text)
        except (ValueError, TypeError) as e:
            raise IllegalFlagValueError(f"flag --{self.name}={text}: {e}") from None

    def _argparse_type(self, text: str) -> Any:
        try:
            return self._parse(text)
        except (ValueError, TypeError) as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    def __repr__(self) -> str:
        return f"<Flag --{self.name} ({self.kind}) = {self.value!r}>"


class _ParserError(Exception):
    pass


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print and exit; flags raise instead
        raise _ParserError(message)


class FlagValues:
    """The registry of defined flags; `FLAGS.name` is a flag's current value."""

    def __init__(self):
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_parsed", False)

    # --- definition
    def _define(self, flag: Flag) -> Flag:
        if flag.name in self._flags:
            raise DuplicateFlagError(f"The flag '{flag.name}' is defined twice.")
        self._flags[flag.name] = flag
        return flag

    # --- access
    def __getattr__(self, name: str):
        flags = self.__dict__["_flags"]
        if name not in flags:
            raise AttributeError(name)
        if not self.__dict__["_parsed"]:
            self(sys.argv, known_only=True)
        return flags[name].value

    def __setattr__(self, name: str, value) -> None:
        if name not in self._flags:
            raise AttributeError(f"Unknown flag '{name}'; define it with a DEFINE_* function first.")
        self._flags[name].value = value

    def __getitem__(self, name: str) -> Flag:
        return self._flags[name]

    def __contains__(self, name: str) -> bool:
        return name in self._flags

    def __iter__(self):
        return iter(self._flags)

    def __len__(self) -> int:
        return len(self._flags)

    def __dir__(self) -> list[str]:
        return sorted(set(object.__dir__(self)) | set(self._flags))

    def flag_values_dict(self) -> dict[str, Any]:
        """A dict of every flag's name and current value."""
        return {name: f.value for name, f in self._flags.items()}

    def is_parsed(self) -> bool:
        return self._parsed

    def mark_as_parsed(self) -> None:
        object.__setattr__(self, "_parsed", True)

    def unparse_flags(self) -> None:
        """Restores every flag to its default and marks the flags as not parsed."""
        for f in self._flags.values():
            f.value, f.present = f.default, 0
        object.__setattr__(self, "_parsed", False)

    # --- parsing
    def __call__(self, argv: Iterable[str], known_only: bool = False) -> list[str]:
        """Parses flags from `argv` (argv[0]: the program); returns argv[0] and the arguments left over."""
        argv = [str(a) for a in argv]
        if not argv:
            raise Error("argv cannot be empty: its first item is the program name")
        args = self._spell_out_booleans(argv[1:])
        try:
            values, rest = self._parser(argv[0]).parse_known_args(args)
        except _ParserError as e:
            raise IllegalFlagValueError(str(e)) from None
        if not known_only:
            unknown = [a for a in rest if a.startswith("--") and a != "--"]
            if unknown:
                raise UnrecognizedFlagError(f"Unknown command line flag '{unknown[0][2:].split('=')[0]}'")
        for name, value in vars(values).items():
            flag = self._flags[name]
            flag.value = value
            flag.present += 1
        self.mark_as_parsed()
        return [argv[0], *rest]

    def _parser(self, prog: str) -> argparse.ArgumentParser:
        parser = _ArgumentParser(prog=prog, add_help=False, allow_abbrev=False)
        for f in self._flags.values():
            choices = f.enum_values or (["true", "false"] if f.kind == "bool" else None)
            metavar = "{" + ",".join(choices) + "}" if choices else None
            parser.add_argument(f"--{f.name}", dest=f.name, default=argparse.SUPPRESS, type=f._argparse_type,
                                metavar=metavar, help=f"{f.help} (default: {f.default!r})")
        return parser

    def help_text(self, prog: str | None = None) -> str:
        """The usage and the list of flags, as --help prints them."""
        return self._parser(prog or sys.argv[0]).format_help()

    def _spell_out_booleans(self, args: list[str]) -> list[str]:
        """`--flag` -> `--flag=true` and `--noflag` -> `--flag=false` for boolean flags (up to a `--`)."""
        bools = {n for n, f in self._flags.items() if f.kind == "bool"}
        out = []
        for i, a in enumerate(args):
            if a == "--":
                return out + args[i:]
            name = a[2:] if a.startswith("--") else None
            if name in bools:
                a = f"--{name}=true"
            elif name and name.startswith("no") and name[2:] in bools and name not in self._flags:
                a = f"--{name[2:]}=false"
            out.append(a)
        return out


FLAGS = FlagValues()


# --- value parsers

def _parse_bool(text) -> bool:
    if isinstance(text, bool):
        return text
    low = str(text).strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"expected a boolean (true/false), got {text!r}")


def _bounded(convert: Callable, what: str, lower, upper) -> Callable[[str], Any]:
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise ValueError(f"expected {what}, got {text!r}") from None
        if lower is not None and value < lower:
            raise ValueError(f"must be >= {lower}")
        if upper is not None and value > upper:
            raise ValueError(f"must be <= {upper}")
        return value
    return parse


def _parse_int(text) -> int:
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    return int(str(text).strip(), 0)  # 0x10, 0o17 and 1_000 too


def _parse_list(text) -> list[str]:
    if isinstance(text, list | tuple):
        return [str(x) for x in text]
    text = str(text).strip()
    return [s.strip() for s in text.split(",")] if text else []


# --- definitions

def DEFINE_string(name: str, default: str | None, help: str | None, flag_values: FlagValues = FLAGS,
                  **kwargs) -> Flag:
    """Defines a flag whose value is a string."""
    return flag_values._define(Flag(name, default, help, "string", str))


def DEFINE_integer(name: str, default: int | None, help: str | None, lower_bound: int | None = None,
                   upper_bound: int | None = None, flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """Defines a flag whose value is an integer, optionally within bounds."""
    parse = _bounded(_parse_int, "an integer", lower_bound, upper_bound)
    return flag_values._define(Flag(name, default, help, "integer", parse))


def DEFINE_float(name: str, default: float | None, help: str | None, lower_bound: float | None = None,
                 upper_bound: float | None = None, flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """Defines a flag whose value is a float, optionally within bounds."""
    parse = _bounded(float, "a float", lower_bound, upper_bound)
    return flag_values._define(Flag(name, default, help, "float", parse))


def DEFINE_boolean(name: str, default: bool | None, help: str | None, flag_values: FlagValues = FLAGS,
                   **kwargs) -> Flag:
    """Defines a boolean flag: `--name`, `--noname` or `--name=true|false`."""
    return flag_values._define(Flag(name, default, help, "bool", _parse_bool))


DEFINE_bool = DEFINE_boolean


def DEFINE_list(name: str, default: list[str] | str | None, help: str | None, flag_values: FlagValues = FLAGS,
                **kwargs) -> Flag:
    """Defines a flag whose value is a list of strings, written comma-separated."""
    return flag_values._define(Flag(name, default, help, "list", _parse_list))


def DEFINE_enum(name: str, default: str | None, enum_values: Iterable[str], help: str | None,
                flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """Defines a string flag whose value must be one of `enum_values`."""
    choices = [str(v) for v in enum_values]
    if not choices:
        raise ValueError(f"enum_values for flag '{name}' cannot be empty")

    def parse(text) -> str:
        if text not in choices:
            raise ValueError(f"value should be one of <{'|'.join(choices)}>, got {text!r}")
        return text

    return flag_values._define(Flag(name, default, help, "enum", parse, enum_values=choices))
