"""The package layout: folders map onto tlboard.* and nothing generic lands in site-packages."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
MAPPED = {"tlboard": "tlboard", "tlboard.engine": "engine", "tlboard.summaries": "summaries",
          "tlboard.dashboard": "dashboard", "tlboard.web": "web"}


def _declared():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(cfg["packages"]), cfg["package-dir"]


def test_package_dir_mapping_matches_the_tree():
    _, package_dir = _declared()
    assert package_dir == MAPPED


def test_every_python_folder_is_a_declared_package():
    packages, _ = _declared()
    on_disk = set()
    for prefix, folder in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            on_disk.add(".".join((prefix, *rel)))
    assert on_disk == packages


@pytest.mark.slow
def test_wheel_installs_only_the_tlboard_namespace(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True)
    wheel = next(tmp_path.glob("tlboard-*.whl"))
    tops = {n.split("/")[0] for n in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"tlboard"}
    names = zipfile.ZipFile(wheel).namelist()
    assert "tlboard/engine/graph.py" in names
    assert "tlboard/web/static/index.html" in names
    assert any(n.startswith("tlboard/summaries/protos/") and n.endswith("_pb2.py") for n in names)
