"""The WebSocket protocol as a contract: docs/protocol.md, the frame TypedDicts (INBOUND and
OUTBOUND of each app's protocol.py), the registered handlers and the producers must agree.

- every documented frame has its TypedDict and the other way round, with the same fields;
- every inbound type has a registered handler (the gateway answers `ping` itself), registered
  with that type's documented TypedDict as its schema (the gateway checks frames against it
  before the handler runs), and the handler reads only fields its TypedDict declares;
- every outbound frame is built in its app's events.py, nowhere else.
"""

import ast
import importlib
import re
import typing
from pathlib import Path

from apps.realtime import frame_schema, registry

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "protocol.md"
PROTOCOLS = ["realtime", "events", "moderation", "matching", "rounds", "dashboard", "chat"]
INBOUND, OUTBOUND = "C→S", "S→C"
ENVELOPE = {"type", "ref"}
GATEWAY_TYPES = {"ping"}  # answered by the gateway itself (apps/realtime/consumers.py)
# Modules allowed to build frames besides the apps' events.py, with the reason: none.
OTHER_PRODUCERS: dict[str, set[str]] = {}


def documented() -> dict[tuple[str, str], set[str]]:
    """(type, direction) → the field names the row's fields column mentions."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.replace("\\|", "¦").strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[1] in (INBOUND, OUTBOUND) and cells[0].startswith("`"):
            rows[(cells[0].strip("`"), cells[1])] = set(re.findall(r"`([a-z_]+)`", cells[2]))
    return rows


def declared() -> dict[tuple[str, str], type]:
    frames = {}
    for app in PROTOCOLS:
        module = importlib.import_module(f"apps.{app}.protocol")
        for direction, schemas in ((INBOUND, module.INBOUND), (OUTBOUND, module.OUTBOUND)):
            for schema in schemas:
                for frame_type in frame_schema.frame_types(schema):
                    assert (frame_type, direction) not in frames, frame_type
                    frames[(frame_type, direction)] = schema
    return frames


def test_the_documented_frames_are_the_typed_frames():
    assert sorted(documented()) == sorted(declared())


def test_documented_fields_are_the_typed_fields():
    docs = documented()
    mismatches = {}
    for key, schema in declared().items():
        fields = set(typing.get_type_hints(schema)) - ENVELOPE
        if fields - docs[key]:
            mismatches[key] = sorted(fields - docs[key])
    assert mismatches == {}


def test_every_inbound_type_has_a_handler_and_nothing_else_does():
    inbound = {frame_type for frame_type, direction in declared() if direction == INBOUND}
    assert sorted(set(registry.frame_handlers) | GATEWAY_TYPES) == sorted(inbound)


def test_every_handler_is_registered_with_its_documented_inbound_schema():
    frames = declared()
    wrong = {
        frame_type: schema.__qualname__
        for frame_type, schema in registry.frame_schemas.items()
        if frames.get((frame_type, INBOUND)) is not schema
    }
    assert wrong == {}
    assert sorted(registry.frame_schemas) == sorted(registry.frame_handlers) == sorted(registry.frame_checks)


def test_every_inbound_schema_can_be_checked():
    """Every int of an inbound frame is bounded, every str has a maximum length, and nothing
    in it is a type JSON cannot carry (frame_check raises TypeError otherwise)."""
    for (_frame_type, direction), schema in declared().items():
        if direction == INBOUND:
            frame_schema.frame_check(schema)


def handler_reads() -> dict[str, set[str]]:
    """Frame type → the fields its handler reads from `frame` (frame["x"], frame.get("x"))."""
    reads = {}
    for path in (ROOT / "apps").glob("*/consumers.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            types = [
                decorator.args[0].value
                for decorator in node.decorator_list
                if isinstance(decorator, ast.Call)
                and getattr(decorator.func, "attr", getattr(decorator.func, "id", "")) == "frame_handler"
            ]
            fields = set()
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and getattr(inner.func, "attr", None) == "get"
                    and getattr(inner.func.value, "id", None) == "frame"
                ):
                    fields.add(inner.args[0].value)
                elif isinstance(inner, ast.Subscript) and getattr(inner.value, "id", None) == "frame":
                    fields.add(inner.slice.value)
            for frame_type in types:
                reads[frame_type] = fields
    return reads


def test_handlers_read_only_fields_their_frame_declares():
    frames = declared()
    undeclared = {}
    for frame_type, fields in handler_reads().items():
        allowed = set(typing.get_type_hints(frames[(frame_type, INBOUND)])) | ENVELOPE
        if fields - allowed:
            undeclared[frame_type] = sorted(fields - allowed)
    assert undeclared == {}


def frame_literals() -> dict[str, set[str]]:
    """Source file → the frame types it builds as a `{"type": "<frame type>", …}` literal."""
    known = {frame_type for frame_type, _direction in declared()}
    found = {}
    for path in sorted((ROOT / "apps").rglob("*.py")):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "type"
                        and isinstance(value, ast.Constant)
                        and value.value in known
                    ):
                        found.setdefault(str(path.relative_to(ROOT)), set()).add(value.value)
    return found


def test_outbound_frames_are_built_in_their_apps_events_module_only():
    outbound_home = {
        frame_type: f"apps/{schema.__module__.split('.')[1]}/events.py"
        for (frame_type, direction), schema in declared().items()
        if direction == OUTBOUND
    }
    built = frame_literals()
    misplaced = {
        path: sorted(types - OTHER_PRODUCERS.get(path, set()))
        for path, types in built.items()
        if types - OTHER_PRODUCERS.get(path, set()) and not all(outbound_home.get(t) == path for t in types)
    }
    assert misplaced == {}
    built_anywhere = set().union(*built.values())
    assert sorted(set(outbound_home) - built_anywhere) == []
