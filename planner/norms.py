"""Norms profiles (保障标准): shipped defaults in resources/norms, editable copies in the plan.

A profile is a JSON document; every number is ``{"value": …, "src": …, "conf": …}`` where
``conf`` is V (verified), S (secondary), R (recalled, check before relying on it), D (derived) or
A (assumption / project input). See resources/norms/*.json and docs/norms.md.
"""
from __future__ import annotations

import json
from typing import Any

import esplan_resources

SHIPPED = ("cn_standard", "sphere")


def shipped_profile(name: str) -> dict[str, Any]:
    p = esplan_resources.path("norms", f"{name}.json")
    if not p.exists():
        raise KeyError(f"no shipped norms profile {name!r} (have: {', '.join(SHIPPED)})")
    return json.loads(p.read_text(encoding="utf-8"))


def shipped_profiles() -> list[dict[str, Any]]:
    return [shipped_profile(n) for n in SHIPPED]


def value(profile: dict[str, Any], *path: str) -> Any:
    """The plain value at ``path`` (``value(p, "coverage", "threshold_min") -> 15``)."""
    node: Any = profile
    for key in path:
        node = node[key]
    return node["value"] if isinstance(node, dict) and "value" in node else node
