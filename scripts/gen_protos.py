"""Regenerate summaries/protos/*_pb2.py from the .proto files with grpcio-tools' protoc.

The generated modules are post-processed so that they register in tlboard's private descriptor pool
(summaries/protos/_pool.py) instead of protobuf's default pool, and import each other through the
installed package path `tlboard.summaries.protos`.

Usage: python scripts/gen_protos.py [--out DIR]   (default: summaries/protos next to the .proto files)
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

PROTO_DIR = Path(__file__).resolve().parents[1] / "summaries" / "protos"
PACKAGE = "tlboard.summaries.protos"

_LOCAL_IMPORT = re.compile(r"^import (\w+_pb2) as (\w+)$", re.MULTILINE)
_DEFAULT_POOL = "_descriptor_pool.Default().AddSerializedFile("
_IMPORTS_END = "# @@protoc_insertion_point(imports)\n"


def run_protoc(proto_dir: Path, out_dir: Path) -> None:
    """Run protoc on every .proto file in proto_dir, writing raw Python modules to out_dir."""
    import grpc_tools
    from grpc_tools import protoc

    include = Path(grpc_tools.__file__).parent / "_proto"
    protos = sorted(p.name for p in proto_dir.glob("*.proto"))
    args = ["protoc", f"-I{proto_dir}", f"-I{include}", f"--python_out={out_dir}", *protos]
    if protoc.main(args) != 0:
        raise RuntimeError(f"protoc failed on {protos}")


def use_private_pool(source: str, name: str) -> str:
    """Rewrite one generated module to register in the private pool and import siblings by package path."""
    if source.count(_DEFAULT_POOL) != 1 or _IMPORTS_END not in source:
        raise RuntimeError(f"{name}: unexpected protoc output layout; update scripts/gen_protos.py")
    source = source.replace("# NO CHECKED-IN PROTOBUF GENCODE\n", "# Post-processed by gen_protos.py\n")
    source = _LOCAL_IMPORT.sub(rf"from {PACKAGE} import \1 as \2", source)
    source = source.replace(_IMPORTS_END, _IMPORTS_END + f"from {PACKAGE}._pool import POOL as _POOL\n")
    return source.replace(_DEFAULT_POOL, "_POOL.AddSerializedFile(")


def generate(out_dir: Path, proto_dir: Path = PROTO_DIR) -> list[Path]:
    """Generate the post-processed *_pb2.py modules into out_dir; return the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as raw:
        run_protoc(proto_dir, Path(raw))
        for module in sorted(Path(raw).glob("*_pb2.py")):
            target = out_dir / module.name
            target.write_text(use_private_pool(module.read_text(), module.name))
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROTO_DIR, help="output folder")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
