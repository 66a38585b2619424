"""Helpers to write small framework files for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def minimal(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "framework": {"id": "demo", "title": "Demo", "version": "1"},
        "stages": [{"id": "low", "label": "Low"}, {"id": "high", "label": "High"}],
        "dimensions": [
            {
                "id": "people",
                "name": "People",
                "criteria": [
                    {
                        "id": "crit-one",
                        "text": "Criterion one",
                        "actions": {
                            "low": [{"id": "act-one", "text": "Do one"}],
                            "high": [{"id": "act-two", "text": "Do two"}],
                        },
                    }
                ],
            }
        ],
    }
    doc.update(overrides)
    return doc


def write(tmp: Path, doc: dict[str, Any] | str, name: str = "fw.yaml") -> Path:
    path = tmp / name
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def big_framework(
    *,
    stages: int = 5,
    dimensions: int = 4,
    criteria: int = 2,
    actions: int = 2,
    long_names: bool = True,
) -> dict[str, Any]:
    """A framework at the edges: many stages with long labels, unicode dimension names."""
    stage_list = [
        {
            "id": f"stage-{i}",
            "label": f"Stage {i}: {'progressing steadily towards maturity ' * 2}".strip()[:100]
            if long_names
            else f"Stage {i}",
        }
        for i in range(1, stages + 1)
    ]
    names = [
        "Ünïcödé Ωmega: people & partnerships / leadership [phase 1] across the region",
        "Ünïcödé Ωmega: people & partnerships / leadership [phase 2] across the region",
        "History",
        "Équipe – 日本語の名前",
        "Start",
        "Systems",
    ]
    dims = []
    for d in range(1, dimensions + 1):
        crits = []
        for c in range(1, criteria + 1):
            acts = {
                s["id"]: [
                    {"id": f"d{d}-c{c}-s{si}-a{a}", "text": f"Action {a} — “{d}.{c}” at {s['id']}"}
                    for a in range(1, actions + 1)
                ]
                for si, s in enumerate(stage_list, start=1)
            }
            crits.append(
                {"id": f"d{d}-c{c}", "text": f"Criterion {d}.{c}: ça marche ✓", "actions": acts}
            )
        name = names[(d - 1) % len(names)] if long_names else f"Dimension {d}"
        dims.append({"id": f"dim-{d}", "name": name, "criteria": crits})
    return {
        "framework": {"id": "edge-case", "title": "Edge-case framework ✓", "version": "2.0"},
        "stages": stage_list,
        "dimensions": dims,
    }
