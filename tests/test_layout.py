"""The test tree mirrors the code (tests/README.md): every folder of tests is a folder of
the shop (``tests/shop/core`` tests ``shop/core``) or one of the layers across it, and
every factory and builder lives in ``tests/factories``."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
# Layers that cut across the packages instead of following one: the factories every test
# builds with, the journeys over HTTP, and the hardening attacks on the whole shop.
LAYERS = {"factories", "journeys", "hardening"}
BUILDER_MODULES = {"builders.py", "world.py", "factories.py"}


def _python_files() -> list[Path]:
    return [p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts]


def _outside_layers(path: Path) -> bool:
    return path.relative_to(TESTS).parts[0] not in LAYERS


def test_every_test_folder_is_a_folder_of_the_shop_or_a_layer():
    folders = {p.parent for p in _python_files() if p.parent != TESTS}
    strays = sorted(
        str(folder.relative_to(TESTS))
        for folder in folders
        if _outside_layers(folder) and not (REPO / folder.relative_to(TESTS)).is_dir()
    )
    assert strays == [], f"tests/ folders with no folder of the shop to mirror: {strays}"


def _factories_in(path: Path) -> list[str]:
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(base) for base in node.bases]
            if any(base.endswith("Factory") for base in bases):
                found.append(f"class {node.name}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
            node.name.startswith("make_") or node.name.endswith("_make")
        ):
            found.append(f"def {node.name}")
    return found


def test_factories_and_builders_live_in_tests_factories():
    outside = [p for p in _python_files() if p.relative_to(TESTS).parts[0] != "factories"]
    found = {}
    for path in outside:
        name = str(path.relative_to(TESTS))
        if path.name in BUILDER_MODULES:
            found[name] = ["a builders module"]
        elif defined := _factories_in(path):
            found[name] = defined
    assert found == {}, f"factories outside tests/factories: {found}"
