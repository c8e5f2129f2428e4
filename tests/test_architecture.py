"""The apps depend one way: the project kernel (dadukou/kernel) → mediation → disputes → tasks_plan.

Checked on the source itself, so a violation fails before anyone merges it:
- no module imports a higher app (at module level or inside a function), and the kernel imports no app;
- no module imports a private `_name` from another module of the project, nor reaches one as
  `module._name` (a shared helper gets a public name instead);
- no model has a relation to a model of a higher app;
- no template of a lower app names a page or template of a higher one;
- the migration graph has no cycle between apps, and no migration depends on one of a higher app.

The rest of the project package (settings, urls, celery) is the composition root: it wires every app
together and is not checked here.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parent.parent
# Lower layers first. A module may import its own layer and those below it.
LAYERS = {"dadukou.kernel": 0, "mediation": 1, "disputes": 2, "tasks_plan": 3}
APPS = ["mediation", "disputes", "tasks_plan"]


def layer_of(module: str) -> int | None:
    """The layer of a dotted module name, None for anything outside the layers (Django, the project root …)."""
    for prefix, layer in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    """Whether a dotted name of the project is a module or package (found on disk, nothing is imported)."""
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_"


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.message}"


def resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom names (relative imports resolved against `module`)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def check_source(module: str, source: str, *, is_package: bool = False) -> list[Violation]:
    """The dependency violations in one module's source."""
    tree = ast.parse(source)
    own_layer = layer_of(module)
    found: list[Violation] = []
    module_aliases: dict[str, str] = {}  # local name -> project module it is bound to

    upward_lines: set[int] = set()

    def imported(target: str, line: int) -> None:
        """Report an import of a higher layer (once per statement: `from app import module` is one)."""
        target_layer = layer_of(target)
        if own_layer is None or target_layer is None or target_layer <= own_layer or line in upward_lines:
            return
        upward_lines.add(line)
        found.append(Violation(module, line, f"imports {target}, an app above it"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imported(alias.name, node.lineno)
                if layer_of(alias.name) is not None:
                    local = alias.asname or alias.name.split(".")[0]
                    module_aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            source_module = resolve(module, is_package, node)
            imported(source_module, node.lineno)
            if layer_of(source_module) is None:
                continue
            for alias in node.names:
                full = f"{source_module}.{alias.name}"
                if is_private(alias.name) and source_module != module:
                    found.append(Violation(module, node.lineno, f"imports the private name {full}"))
                if is_module(full):
                    imported(full, node.lineno)
                    module_aliases[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in module_aliases
            and module_aliases[node.value.id] != module
        ):
            target = f"{module_aliases[node.value.id]}.{node.attr}"
            found.append(Violation(module, node.lineno, f"uses the private name {target}"))
    return found


def project_modules():
    for top in ["dadukou/kernel", *APPS]:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


# --- the rules, on the real source ------------------------------------------------------------------------------


def test_the_layers_hold_the_three_apps_and_the_kernel():
    modules = [module_name(p) for p in project_modules()]
    assert len(modules) > 100
    assert {layer_of(m) for m in modules} == {0, 1, 2, 3}


def test_no_module_imports_upwards_or_a_private_name():
    violations = [
        str(v)
        for path in project_modules()
        for v in check_source(module_name(path), path.read_text(), is_package=path.name == "__init__.py")
    ]
    assert violations == []


def test_no_model_relates_to_a_model_of_a_higher_app():
    wrong = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                # Only the relations this model declares; reverse accessors are declared by the other side.
                if not field.is_relation or field.auto_created or field.related_model is None:
                    continue
                target = field.related_model._meta.app_label
                if target in APPS and APPS.index(target) > APPS.index(app):
                    wrong.append(f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}")
    assert wrong == []


TEMPLATE_REFERENCE = re.compile(r"""\{%\s*(?:url|include|extends)\s+["']([a-z_]+)[:/]""")


def test_no_template_of_a_lower_app_names_a_higher_one():
    wrong = []
    for app in APPS:
        for path in sorted((ROOT / "templates" / app).rglob("*.html")):
            for target in TEMPLATE_REFERENCE.findall(path.read_text()):
                if target in APPS and APPS.index(target) > APPS.index(app):
                    wrong.append(f"{path.relative_to(ROOT)} names {target}")
    assert wrong == []


def app_dependencies() -> dict[str, set[str]]:
    """App label -> the apps whose migrations its migrations depend on (the graph read from disk)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    edges: dict[str, set[str]] = {}
    for (app, _name), node in graph.node_map.items():
        edges.setdefault(app, set())
        edges[app].update(parent.key[0] for parent in node.parents if parent.key[0] != app)
    return edges


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """An app-level cycle of the graph (the apps along it), or None."""
    done: set[str] = set()

    def visit(app: str, path: list[str]) -> list[str] | None:
        if app in path:
            return [*path[path.index(app) :], app]
        if app in done:
            return None
        for dependency in sorted(edges.get(app, ())):
            if found := visit(dependency, [*path, app]):
                return found
        done.add(app)
        return None

    return next((found for app in sorted(edges) if (found := visit(app, []))), None)


def test_the_migration_graph_has_no_cycle_between_apps():
    edges = app_dependencies()
    assert set(APPS) <= edges.keys()
    assert cycle(edges) is None


def test_no_migration_depends_on_a_higher_app():
    edges = app_dependencies()
    wrong = [
        f"{app} -> {dependency}"
        for app in APPS
        for dependency in edges[app]
        if dependency in APPS and APPS.index(dependency) > APPS.index(app)
    ]
    assert wrong == []
    # The order is real, not vacuous: each app above mediation builds on the ones below it.
    assert "mediation" in edges["disputes"] and {"mediation", "disputes"} & edges["tasks_plan"]


# --- the checker itself catches what it must ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "mediation.views.x",
            "from disputes.models import Dispute\n",
            "imports disputes.models, an app above it",
        ),
        ("mediation.views.x", "def f():\n    import tasks_plan.models\n", "imports tasks_plan.models"),
        ("disputes.views.x", "from tasks_plan import indicators\n", "imports tasks_plan, an app above it"),
        ("dadukou.kernel.x", "from mediation.models import Region\n", "imports mediation.models"),
        ("disputes.indicators", "from mediation.indicators import _result\n", "private name"),
        ("disputes.services.sweeps", "from disputes.services.workflow import _limit\n", "private name"),
        (
            "tasks_plan.x",
            "from mediation import indicators\nindicators._result(1)\n",
            "uses the private name",
        ),
        ("tasks_plan.x", "import mediation.indicators as ind\nind._district()\n", "uses the private name"),
    ],
)
def test_the_checker_finds_a_violation(module, source, expected):
    violations = check_source(module, source)
    assert len(violations) == 1 and expected in str(violations[0]), violations


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("disputes.views.x", "from mediation.models import Region\nRegion._meta.get_field('name')\n"),
        ("tasks_plan.x", "from disputes.services import workflow\nworkflow.assess\n"),
        ("mediation.x", "from django.utils.translation import gettext as _\n"),
        ("mediation.x", "from dadukou.kernel.errors import WorkflowError\n"),
        ("mediation.x", "def _helper():\n    pass\n_helper()\n"),
    ],
)
def test_the_checker_allows_what_is_allowed(module, source):
    assert check_source(module, source) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycle({"mediation": {"disputes"}, "disputes": {"mediation"}}) == [
        "disputes",
        "mediation",
        "disputes",
    ]
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"mediation": set(), "disputes": {"mediation"}, "tasks_plan": {"disputes"}}) is None
