"""Size limits of the code (docs/architecture.md): no module over 400 lines, no function over
60, outside bench/, migrations and tests. A capability grows into a module of its own."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
CHECKED = ("apps", "matchminds", "scripts", "deploy")
# Known exceptions, "path" or "path:function" -> the reason; the test fails once one is no longer
# needed. None today: a long module becomes a package, a long function a few named steps.
EXEMPT: dict[str, str] = {}


def checked_files():
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if not {"tests", "migrations", "node_modules"} & set(path.parts):
                yield path


def test_no_module_is_over_400_lines():
    long_modules = {}
    for path in checked_files():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            long_modules[str(path.relative_to(ROOT))] = lines
    assert sorted(set(long_modules) - set(EXEMPT)) == []
    assert sorted(name for name in EXEMPT if ":" not in name and name not in long_modules) == []


def test_no_function_is_over_60_lines():
    long_functions = {}
    for path in checked_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                # From the def (decorators excluded) to the last line of the body.
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long_functions[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert sorted(set(long_functions) - set(EXEMPT)) == []
    assert sorted(name for name in EXEMPT if ":" in name and name not in long_functions) == []
