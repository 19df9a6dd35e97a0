"""Dependencies run one way: bottom utilities -> models -> rtl -> vectors and parameters ->
catalog and units -> sim -> reports -> api (and checking) -> cli. Read from the source's import statements
(module level and inside functions alike), so a new upward import fails here."""

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
    ("arithbench.catalog", 4), ("arithbench.units", 4),
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
