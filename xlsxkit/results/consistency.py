"""Consistency flags: a claimed stage that the partner's own ticks do not support.

The rule, for one criterion of one return: let S be the stage claimed, and A the criterion's
suggested actions at S or at a stage below it (the actions the workbook's own indicator
counts, "N of M actions done at or below this stage"). The stage is flagged when

- S is not the lowest stage (claiming the lowest stage claims nothing to support),
- A holds at least ``min_actions`` actions (a share of one or two actions says little), and
- fewer than ``threshold`` of A are ticked as done (an unreadable tick counts as not done,
  as everywhere in the summary; its own warning names its cell).

The defaults are a threshold of 0.5 (at least half) and a minimum of 3 actions: the issue's
example, "Well-developed" with 3 of the 7 actions at or below it done, is flagged (3/7 is
under half). A campaign sets both in xlsxkit.yaml (``consistency: threshold, min_actions``);
outside one, ``--consistency-threshold``. A threshold of 0 switches the check off.

A flag is a warning (:attr:`~xlsxkit.codes.Code.STAGE_NOT_SUPPORTED`) at the stage cell: it
goes wherever the return's other warnings go (the Problems sheet, problems.csv, the
partner's feedback). It never changes an answer: the stage claimed stands everywhere.

Pure: no files, no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from xlsxkit.codes import Code
from xlsxkit.framework.model import Framework, Return
from xlsxkit.problems import Problem, warning
from xlsxkit.workbook import layout as L

DEFAULT_THRESHOLD: Final = 0.5
DEFAULT_MIN_ACTIONS: Final = 3
#: The most actions the rule can ask for (a criterion never has this many).
MAX_MIN_ACTIONS: Final = 1000


_SHARE = re.compile(r"(?:0|1|0?\.[0-9]{1,4}|1\.0{1,4})")
_PERCENT = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,2})?)\s*%")


def parse_share(text: str) -> float | None:
    """A share from 0 to 1 written as 0.5, .5, 1 or 50%; None when it is not one."""
    text = text.strip()
    if _SHARE.fullmatch(text):
        return float(text)
    match = _PERCENT.fullmatch(text)
    if match and float(match.group(1)) <= 100:
        return float(match.group(1)) / 100
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class ConsistencyRule:
    """When a claimed stage is flagged (see the module docstring)."""

    threshold: float = DEFAULT_THRESHOLD  # 0..1; 0 switches the check off
    min_actions: int = DEFAULT_MIN_ACTIONS  # 1..MAX_MIN_ACTIONS

    def __post_init__(self) -> None:
        if not (isinstance(self.threshold, int | float) and 0 <= self.threshold <= 1):
            raise ValueError(f"threshold {self.threshold!r} must be a share from 0 to 1")
        if math.isnan(self.threshold):
            raise ValueError("threshold must be a number from 0 to 1")
        if not (isinstance(self.min_actions, int) and 1 <= self.min_actions <= MAX_MIN_ACTIONS):
            raise ValueError(
                f"min_actions {self.min_actions!r} must be a whole number from 1 to "
                f"{MAX_MIN_ACTIONS}"
            )

    @property
    def enabled(self) -> bool:
        return self.threshold > 0

    def needed(self, actions: int) -> int:
        """The fewest done of ACTIONS that is not flagged (exact: no float rounding)."""
        return math.ceil(Fraction(self.threshold).limit_denominator(10_000) * actions)

    def _share(self) -> str:
        if self.threshold in (0.5, 1):
            return "half" if self.threshold == 0.5 else "all"
        return f"{self.threshold:.0%}"

    def describe(self) -> str:
        """The rule in words, for the README and the feedback."""
        return (
            f"at least {self._share()} of the suggested actions at or below the stage claimed "
            f"are ticked as done (checked when there are {self.min_actions} or more such "
            "actions)"
        )

    def short(self) -> str:
        """The rule in a few words, for a message that already names the actions."""
        return f"at least {self._share()} of them"


@dataclass(frozen=True, kw_only=True, slots=True)
class Flag:
    """One claimed stage the ticks do not support."""

    criterion_id: str
    stage_id: str
    done: int
    actions: int  # at or below the stage claimed
    needed: int


def flags(
    framework: Framework,
    stages: Mapping[str, str | None],
    done: Mapping[str, bool | None],
    rule: ConsistencyRule,
) -> list[Flag]:
    """The flags of one set of answers: STAGES (criterion id -> stage id claimed, None for
    none) and DONE (action id -> ticked; None or absent: not done), in framework order."""
    if not rule.enabled:
        return []
    lowest = framework.stages[0].id
    out: list[Flag] = []
    for criterion in framework.criteria:
        stage_id = stages.get(criterion.id)
        if stage_id is None or stage_id == lowest:
            continue
        level = framework.stage(stage_id).index
        upto = [a for a in criterion.actions if framework.stage(a.stage_id).index <= level]
        if len(upto) < rule.min_actions:
            continue
        ticked = sum(1 for a in upto if done.get(a.id) is True)
        needed = rule.needed(len(upto))
        if ticked < needed:
            out.append(
                Flag(
                    criterion_id=criterion.id,
                    stage_id=stage_id,
                    done=ticked,
                    actions=len(upto),
                    needed=needed,
                )
            )
    return out


def return_flags(framework: Framework, r: Return, rule: ConsistencyRule) -> list[Problem]:
    """The flags of an accepted return, as warnings at each flagged stage cell."""
    answers = {a.item_id: a for a in r.answers}
    stages = {c.id: answers[c.id].stage_id if c.id in answers else None for c in framework.criteria}
    done = {a.id: answers[a.id].done if a.id in answers else None for a in framework.actions}
    stage_col = L.FIELD[L.FieldName.STAGE].col
    out = []
    for flag in flags(framework, stages, done, rule):
        answer = answers[flag.criterion_id]
        out.append(
            warning(
                Code.STAGE_NOT_SUPPORTED,
                message(framework, flag, rule),
                file=r.source,
                sheet=answer.sheet,
                cell=L.cell_ref(answer.row - 1, stage_col),
            )
        )
    return out


def message(framework: Framework, flag: Flag, rule: ConsistencyRule) -> str:
    stage = framework.stage(flag.stage_id).label
    criterion = framework.criterion(flag.criterion_id)
    text = criterion.text if len(criterion.text) <= 90 else criterion.text[:89].rstrip() + "…"
    verb = "is" if flag.done == 1 else "are"
    return (
        f"the stage '{stage}' is claimed for '{text}', but only {flag.done} of the "
        f"{flag.actions} suggested actions at or below that stage {verb} ticked as done "
        f"(the check asks for {flag.needed}: {rule.short()}). The answer stands: check the "
        "stage or the ticks with the partner"
    )
