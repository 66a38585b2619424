"""The framework model: frozen, keyword-only dataclasses.

The rest of xlsxkit sees a framework only through these classes. They are built by
:func:`xlsxkit.framework.load.load_framework` from a validated document, never from raw dicts
elsewhere. The partners and their returns (:class:`Organisation`, :class:`Return`,
:class:`Answer`, ...) are part of the model too, defined in :mod:`xlsxkit.framework.returns`
and importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlsxkit.framework.returns import Answer as Answer
    from xlsxkit.framework.returns import Organisation as Organisation
    from xlsxkit.framework.returns import Provenance as Provenance
    from xlsxkit.framework.returns import Return as Return
    from xlsxkit.framework.returns import ReturnStatus as ReturnStatus

#: Classes of the model that live in :mod:`xlsxkit.framework.returns` (the partners and their
#: returns), importable from here as ever but created only when first used (see there).
_RETURNS = frozenset({"Organisation", "ReturnStatus", "Answer", "Provenance", "Return", "_answer"})


def __getattr__(name: str) -> object:
    if name in _RETURNS:
        from xlsxkit.framework import returns

        value: object = getattr(returns, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, kw_only=True, slots=True)
class Stage:
    """A stage of the ladder, lowest first."""

    id: str
    label: str
    index: int  # 1-based position on the ladder, lowest first
    description: str | None = None
    colour: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Action:
    """A suggested action of a criterion at one stage."""

    id: str
    text: str
    stage_id: str
    criterion_id: str
    dimension_id: str
    details: tuple[str, ...] = ()
    same_as: str | None = None
    see_also: tuple[str, ...] = ()
    guidance: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Criterion:
    """A success criterion, with its suggested actions in stage order."""

    id: str
    text: str
    dimension_id: str
    actions: tuple[Action, ...] = ()
    guidance: str | None = None

    def actions_at(self, stage_id: str) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.stage_id == stage_id)


@dataclass(frozen=True, kw_only=True, slots=True)
class Dimension:
    """A dimension (a sheet of the workbook), with its success criteria."""

    id: str
    name: str
    criteria: tuple[Criterion, ...]
    description: str | None = None

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(a for c in self.criteria for a in c.actions)


@dataclass(frozen=True, kw_only=True)
class Framework:
    """A validated framework: its stages and dimensions, with lookups by id."""

    id: str
    title: str
    version: str
    stages: tuple[Stage, ...]
    dimensions: tuple[Dimension, ...]
    content_hash: str
    source: str | None = None
    description: str | None = None
    _stages: dict[str, Stage] = field(init=False, repr=False, compare=False)
    _criteria: dict[str, Criterion] = field(init=False, repr=False, compare=False)
    _actions: dict[str, Action] = field(init=False, repr=False, compare=False)
    _dimensions: dict[str, Dimension] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stages", {s.id: s for s in self.stages})
        object.__setattr__(self, "_dimensions", {d.id: d for d in self.dimensions})
        object.__setattr__(
            self, "_criteria", {c.id: c for d in self.dimensions for c in d.criteria}
        )
        object.__setattr__(
            self,
            "_actions",
            {a.id: a for d in self.dimensions for c in d.criteria for a in c.actions},
        )

    # lookups -------------------------------------------------------------------------
    def stage(self, stage_id: str) -> Stage:
        return self._stages[stage_id]

    def dimension(self, dimension_id: str) -> Dimension:
        return self._dimensions[dimension_id]

    def criterion(self, criterion_id: str) -> Criterion:
        return self._criteria[criterion_id]

    def action(self, action_id: str) -> Action:
        return self._actions[action_id]

    def has_criterion(self, item_id: str) -> bool:
        return item_id in self._criteria

    def has_action(self, item_id: str) -> bool:
        return item_id in self._actions

    # iteration and counts ------------------------------------------------------------
    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(self._criteria.values())

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(self._actions.values())

    @property
    def counts(self) -> dict[str, int]:
        return {
            "dimensions": len(self.dimensions),
            "criteria": len(self._criteria),
            "stages": len(self.stages),
            "actions": len(self._actions),
        }

    def describe_counts(self) -> str:
        c = self.counts
        return (
            f"{c['dimensions']} dimensions, {c['criteria']} criteria, "
            f"{c['stages']} stages, {c['actions']} actions"
        )
