"""Hypothesis strategies: valid frameworks of every shape the schema allows (2-7 stages,
1-4 dimensions here), with text in any script including the astral plane, and answers
for them as the reader returns them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from hypothesis import strategies as st

from xlsxkit.framework.load import parse_framework
from xlsxkit.framework.model import Answer, Framework
from xlsxkit.workbook.plan import WorkbookPlan

EMOJI = "🔴🟠🟡🟢🔵✅🚀𝔘𝕟𝕚😀👩‍👩‍👧"
#: Characters a YAML framework file can hold as text: no control, surrogate or
#: line-separator characters; astral-plane characters included.
_fw_chars = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Zl", "Zp"), blacklist_characters="\ufeff\x85"
)
fw_text = st.text(st.one_of(_fw_chars, st.sampled_from(EMOJI)), min_size=0, max_size=40)


def _visible(text: str, fallback: str) -> str:
    return text if text.strip() else fallback


@st.composite
def framework_docs(
    draw: st.DrawFn, *, max_dimensions: int = 4, labels: st.SearchStrategy[str] = fw_text
) -> dict[str, Any]:
    n_stages = draw(st.integers(2, 7))
    stages = [
        {
            "id": f"s{i}",
            # The "#i" ending keeps labels apart however a partner may type them.
            "label": f"{draw(labels)[:96]} #{i}".strip(),
        }
        for i in range(1, n_stages + 1)
    ]
    dimensions = []
    for d in range(1, draw(st.integers(1, max_dimensions)) + 1):
        criteria = []
        for c in range(1, draw(st.integers(1, 3)) + 1):
            actions: dict[str, list[dict[str, str]]] = {}
            for stage in stages:
                n = draw(st.integers(0, 2))
                if n:
                    actions[stage["id"]] = [
                        {
                            "id": f"d{d}-c{c}-{stage['id']}-a{a}",
                            "text": _visible(draw(fw_text), f"Action {a}"),
                        }
                        for a in range(1, n + 1)
                    ]
            criterion: dict[str, Any] = {
                "id": f"d{d}-c{c}",
                "text": _visible(draw(fw_text), f"Criterion {c}"),
                "actions": actions,
            }
            criteria.append(criterion)
        dimensions.append(
            {"id": f"dim-{d}", "name": _visible(draw(fw_text), f"D{d}"), "criteria": criteria}
        )
    return {
        "framework": {
            "id": "prop",
            "title": _visible(draw(fw_text), "Property framework"),
            "version": "1",
        },
        "stages": stages,
        "dimensions": dimensions,
    }


def load_doc(doc: dict[str, Any]) -> Framework:
    result = parse_framework(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    assert result.framework is not None, result.report.render_text()
    return result.framework


#: Free text as a partner may type it: any script, astral plane, controls, line breaks.
#: A text of only spaces reads back as empty, and U+FFFE/U+FFFF are not characters in XML,
#: so neither is a text the reader can return.
answer_text = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"),
        st.sampled_from(EMOJI),
    ),
    max_size=60,
).filter(lambda t: t == "" or bool(t.strip()))
answer_date = st.one_of(
    st.just(""), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
)


@st.composite
def answers_for(draw: st.DrawFn, framework: Framework, plan: WorkbookPlan) -> list[Answer]:
    """Answers for some of FRAMEWORK's items, placed where the reader reports them."""
    out = []
    stage_ids = [None, *(s.id for s in framework.stages)]
    for criterion in framework.criteria:
        where = plan.items[criterion.id]
        out.append(
            Answer(
                item_id=criterion.id,
                sheet=where.sheet,
                row=where.row + 1,
                stage_id=draw(st.sampled_from(stage_ids)),
                comment=draw(answer_text),
            )
        )
        for action in criterion.actions:
            where = plan.items[action.id]
            out.append(
                Answer(
                    item_id=action.id,
                    sheet=where.sheet,
                    row=where.row + 1,
                    done=draw(st.booleans()),
                    notes=draw(answer_text),
                    lead=draw(answer_text),
                    target_date=draw(answer_date),
                )
            )
    return out
