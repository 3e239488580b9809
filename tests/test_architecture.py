"""Imports run one way: the layers written in docs/architecture.md, read from there."""

import ast
import re
from pathlib import Path

import pytest

import wagtail_spinecare

PACKAGE = Path(wagtail_spinecare.__file__).parent
NAME = PACKAGE.name
DOC = Path(__file__).parent.parent / "docs" / "architecture.md"


def modules() -> dict[str, Path]:
    """Every module of the package but its migrations, by dotted name."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def layers() -> list[list[str]]:
    """The numbered list under "## Layers": each item's backquoted module names."""
    text = DOC.read_text().split("## Layers", 1)[1].split("\n## ", 1)[0]
    items = re.split(r"\n(?=\d+\. )", text)
    return [re.findall(r"`([\w.*]+)`", item) for item in items if re.match(r"\d+\. ", item)]


def layer_of(module: str, table: list[list[str]]) -> int | None:
    short = module.removeprefix(f"{NAME}.") if module != NAME else NAME
    for number, names in enumerate(table):
        for name in names:
            if short == name or (name.endswith(".*") and short.startswith(name[:-1])):
                return number
            if name.endswith(".*") and short == name[:-2]:
                return number
    return None


class Import:
    def __init__(self, source, target, line, deferred):
        self.source, self.target, self.line, self.deferred = source, target, line, deferred

    def __repr__(self):
        return f"{self.source}:{self.line} imports {self.target}"


def imports(known: dict[str, Path]) -> tuple[list[Import], list[tuple[str, int]]]:
    """Every import of one of the package's modules, with whether it is inside a function;
    and where every import inside a function is, whatever it imports."""
    found, deferred = [], []
    for module, path in known.items():
        tree = ast.parse(path.read_text())
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        in_function = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    for alias in node.names
                ]
            else:
                continue
            if id(node) in in_function:
                deferred.append((module, node.lineno))
            for target in targets:
                while target not in known and "." in target:
                    target = target.rpartition(".")[0]
                if target in known and target != module:
                    found.append(Import(module, target, node.lineno, id(node) in in_function))
    return found, deferred


KNOWN = modules()
LAYERS = layers()
IMPORTS, DEFERRED = imports(KNOWN)


def test_the_document_names_layers_and_real_modules():
    assert len(LAYERS) >= 6
    for names in LAYERS:
        for name in names:
            full = NAME if name == NAME else f"{NAME}.{name.removesuffix('.*')}"
            assert full in KNOWN, f"docs/architecture.md names {name}, which does not exist"


@pytest.mark.parametrize("module", sorted(KNOWN))
def test_every_module_has_a_layer(module):
    assert layer_of(module, LAYERS) is not None, f"add {module} to docs/architecture.md"


def test_no_import_runs_upward():
    upward = [
        f"{i!r} (layer {layer_of(i.source, LAYERS) + 1} to {layer_of(i.target, LAYERS) + 1})"
        for i in IMPORTS
        if layer_of(i.target, LAYERS) > layer_of(i.source, LAYERS)
    ]
    assert upward == []


def test_no_import_cycle():
    graph = {}
    for i in IMPORTS:
        graph.setdefault(i.source, set()).add(i.target)
    done, cycles = set(), []

    def visit(module, trail):
        if module in trail:
            cycles.append(trail[trail.index(module) :] + [module])
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, trail + [module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert cycles == []


def test_deferred_imports_say_why():
    """An import inside a function has a comment before it in that function."""
    unexplained = []
    for module, line in DEFERRED:
        lines = KNOWN[module].read_text().splitlines()[:line]
        start = max(n for n, text in enumerate(lines) if re.match(r"\s*(async )?def ", text))
        if not any("#" in text for text in lines[start + 1 :]):
            unexplained.append(f"{module}:{line}")
    assert unexplained == []
    # 9: wsgi's, which a project imports before Django is set up, and compat's of redis,
    # installed only where a project uses it.
    assert len(DEFERRED) <= 9, "a new deferred import: can it run at the top instead?"


def test_this_test_sees_an_upward_import():
    """The checks above read real imports: a block importing a page type would be found."""
    fake = Import(f"{NAME}.blocks.faq", f"{NAME}.models.pages", 1, False)
    assert layer_of(fake.target, LAYERS) > layer_of(fake.source, LAYERS)
    assert any(i.source == f"{NAME}.models.pages" and i.target == f"{NAME}.blocks" for i in IMPORTS)
