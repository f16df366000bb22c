"""docs/configuration.md lists exactly the environment variables the project reads."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"
NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")
SETTINGS_SECTION = "## Read by the settings"
OTHER_SECTION = "## Read by other programs"
SEARCHED = ("Makefile", "Dockerfile", "manage.py", "apps", "matchminds", "scripts", "docker", "deploy", "bench")


def settings_reads() -> set[str]:
    """Names passed to the settings' `env` object: env("X"), env.int("X"), env.json("X"), …"""
    names = set()
    for path in (ROOT / "matchminds" / "settings").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            func = node.func
            if (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
            ):
                names.add(node.args[0].value)
    return names


def documented(section: str) -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(section)
    end = text.find("\n## ", start + len(section))
    rows = [line for line in text[start : end if end > 0 else None].splitlines() if line.startswith("| `")]
    return {name for row in rows for name in NAME.findall(row.split("|")[1])}


def read_outside_settings(name: str) -> bool:
    for top in SEARCHED:
        path = ROOT / top
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and p.suffix in (".py", ".sh", "")]
        for file in files:
            if "tests" in file.parts or "settings" in file.parts:
                continue
            try:
                if name in file.read_text(encoding="utf-8"):
                    return True
            except (UnicodeDecodeError, OSError):
                continue
    return False


def test_every_setting_read_from_the_environment_is_documented_and_nothing_else():
    reads = settings_reads()
    assert len(reads) > 50
    assert sorted(reads - documented(SETTINGS_SECTION)) == []
    assert sorted(documented(SETTINGS_SECTION) - reads) == []


def test_variables_read_by_other_programs_are_read_there():
    others = documented(OTHER_SECTION)
    assert "DJANGO_SETTINGS_MODULE" in others
    assert sorted(others & settings_reads()) == []
    assert sorted(name for name in others if not read_outside_settings(name)) == []
