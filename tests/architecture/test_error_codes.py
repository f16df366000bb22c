"""Error codes are members of an app's ErrorCode enum, never string literals at the raise."""

import ast
import enum
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENUM_HOMES = {
    "accounts": "apps.accounts.errors",
    "chat": "apps.chat.protocol",
    "core": "apps.core.errors",
    "dashboard": "apps.dashboard.errors",
    "events": "apps.events.errors",
    "matching": "apps.matching.errors",
    "moderation": "apps.moderation.errors",
    "policies": "apps.policies.errors",
    "realtime": "apps.realtime.protocol",
    "rounds": "apps.rounds.errors",
}


def source_files():
    for path in sorted((ROOT / "apps").rglob("*.py")):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path


def test_no_domain_error_is_raised_with_a_string_literal_code():
    literal_codes = []
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_domain_error = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DomainError"
            if is_domain_error and node.args and isinstance(node.args[0], ast.Constant):
                literal_codes.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[0].value!r}")
    assert literal_codes == []


def test_every_app_error_code_is_a_str_enum_with_unique_values():
    for app, module in ENUM_HOMES.items():
        codes = importlib.import_module(module).ErrorCode
        assert issubclass(codes, enum.StrEnum), app
        assert len({member.value for member in codes}) == len(codes), app
