"""Dependencies run one way: bottom utilities -> models -> rtl -> vectors and parameters ->
the unit base, the units and the catalog -> sim -> reports -> api (and checking) -> cli, with no
import circle even within a layer. Read from the source's import statements (module level and
inside functions alike), so a new upward import or a new circle fails here."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Source folder -> package, as pyproject.toml maps them.
PACKAGES = {"arithbench": "arithbench", "models": "arithbench.models", "rtl": "arithbench.rtl",
            "sim": "arithbench.sim", "reports": "arithbench.reports"}
#: Layer of each module (by longest matching prefix); lower layers never import higher ones.
LAYERS = [
    ("arithbench.__version__", 0), ("arithbench.checks", 0), ("arithbench.processes", 0), ("arithbench.errors", 0), ("arithbench.files", 0), ("arithbench.sources", 0), ("arithbench.tools", 0),
    ("arithbench.models", 1),
    ("arithbench.rtl", 2),
    ("arithbench.vectors", 3), ("arithbench.params", 3),
    ("arithbench.unit", 4), ("arithbench.units", 4), ("arithbench.catalog", 4),
    ("arithbench.sim", 5),
    ("arithbench.reports", 6),
    ("arithbench.api", 7), ("arithbench.checking", 7),
    ("arithbench.cli", 8), ("arithbench", 8),
]


def layer(module: str) -> int:
    """The layer of the longest prefix of ``module`` in :data:`LAYERS`."""
    return next(n for prefix, n in sorted(LAYERS, key=lambda p: -len(p[0]))
                if module == prefix or module.startswith(prefix + "."))


def modules():
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            if folder == "arithbench" and path.parent.name == "units":
                name = f"arithbench.units.{path.stem}"
            elif folder == "arithbench":
                name = f"arithbench.{path.stem}"
            else:
                name = f"{package}.{path.stem}"
            yield name.removesuffix(".__init__"), path


def imports(name: str, path: Path):
    package = name if path.stem == "__init__" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            yield from ([f"{target}.{a.name}" for a in node.names] if not node.module else [target])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("arithbench"):
            yield node.module
        elif isinstance(node, ast.Import):  # import arithbench.cli, anywhere
            yield from (a.name for a in node.names if a.name.startswith("arithbench"))


@pytest.mark.parametrize("name,path", list(modules()), ids=lambda x: x if isinstance(x, str) else "")
def test_imports_only_go_down_the_layers(name, path):
    upward = [t for t in imports(name, path) if layer(t) > layer(name)]
    assert not upward, f"{name} (layer {layer(name)}) imports {upward}"


def test_the_layer_test_sees_an_upward_import_inside_a_function(tmp_path):
    """A planted ``import arithbench.cli`` inside a function of a model is found and is upward."""
    planted = tmp_path / "formats.py"
    planted.write_text("def f():\n    import arithbench.cli\n    from ..reports import report\n")
    found = list(imports("arithbench.models.formats", planted))
    assert found == ["arithbench.cli", "arithbench.reports"]
    assert all(layer(t) > layer("arithbench.models.formats") for t in found)


#: Names imported from a package that are constants of its ``__init__``, set before it imports
#: anything: a leaf of the import graph, not the package (whose ``__getattr__`` loads the API).
CONSTANTS = {"arithbench.__version__"}


def import_graph(found) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, from ``(name, path)`` pairs; an imported name
    that is not a module counts as its module (``arithbench.models.codec.ROUNDINGS`` is
    ``arithbench.models.codec``)."""
    found = list(found)
    known = {name for name, _ in found} | CONSTANTS
    graph = {name: set() for name in known}
    for name, path in found:
        for target in imports(name, path):
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in known and target != name:
                graph[name].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The import circles: the strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles():
    """No module reaches itself through imports, at module level or inside functions (the
    catalog finds its units, which import the unit base, not the catalog)."""
    assert circles(import_graph(modules())) == []


def test_the_circle_test_sees_a_planted_circle(tmp_path):
    """A catalog that imports its units inside a function, and a unit that imports the catalog,
    is a circle; the same unit importing the unit base instead is none."""
    files = {"catalog.py": "def units():\n    from . import units\n",
             "unit.py": "class UnitConfig:\n    pass\n",
             "units/__init__.py": "from . import toy\n",
             "units/toy.py": "from ..catalog import register\n"}
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(exist_ok=True)
        (tmp_path / relative).write_text(text)
    planted = [("arithbench.catalog", tmp_path / "catalog.py"), ("arithbench.unit", tmp_path / "unit.py"),
               ("arithbench.units", tmp_path / "units" / "__init__.py"),
               ("arithbench.units.toy", tmp_path / "units" / "toy.py")]
    assert circles(import_graph(planted)) == [{"arithbench.catalog", "arithbench.units", "arithbench.units.toy"}]
    (tmp_path / "units" / "toy.py").write_text("from ..unit import register\n")
    assert circles(import_graph(planted)) == []
