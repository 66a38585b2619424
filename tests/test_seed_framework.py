"""The bundled framework is the seed, complete and word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xlsxkit.framework.model import Framework

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def test_counts(framework: Framework) -> None:
    assert framework.counts == {"dimensions": 3, "criteria": 6, "stages": 3, "actions": 29}
    assert [d.name for d in framework.dimensions] == ["People", "Culture", "Systems"]
    assert [s.label for s in framework.stages] == [
        "Not well-developed",
        "Some work done",
        "Well-developed",
    ]
    per_dimension = {d.id: len(d.actions) for d in framework.dimensions}
    assert per_dimension == {"people": 13, "culture": 9, "systems": 7}


def test_criteria_wording(framework: Framework) -> None:
    texts = {d.id: [c.text for c in d.criteria] for d in framework.dimensions}
    assert texts["people"] == [
        "There is a high degree of staff engagement at all levels in stakeholder organisations.",
        "Users and other stakeholders are fully involved from the outset and throughout the "
        "process.",
    ]
    assert texts["culture"][1] == (
        "The value of engaging people is explicitly recognised and made a priority "
        "throughout the IP project work streams."
    )
    assert texts["systems"][0] == (
        "There are mechanisms in place for stakeholders to share learning, formally and "
        "informally, on a regular basis."
    )


# (dimension, stage) -> (first action text, last action text), across both criteria.
FIRST_LAST = {
    ("people", "not-well-developed"): (
        "Map formal and informal links between IP team leads and local clinicians",
        "Identify individuals from organisations representing the interests of service "
        "users who can sit on your IP steering group.",
    ),
    ("people", "some-work-done"): (
        "Identify clinical 'champions' for IP – early adopters who express their willingness "
        "to be involved – and ensure there is regular liaison with them, e.g. steering group "
        "membership",
        "Mapping the key steps in the IP process, identify how users and stakeholders ought "
        "to be involved at each stage. Then go on to look for the most meaningful and "
        "appropriate ways of doing so.",
    ),
    ("people", "well-developed"): (
        "Develop a plan to 'cascade' IP learning down from the clinical champion through the "
        "wider clinical network",
        "Consider whether it would be feasible to formalise the involvement of stakeholders "
        "in IP, for instance by including IP within the established partnership agreements, "
        "terms of reference and protocols.",
    ),
    ("culture", "not-well-developed"): (
        "Working with communication leads, map current opportunities for users to give "
        "feedback on their service.",
        "Identify a senior lead for each strand of work within IP, responsible for "
        "championing the work with his or her peers.",
    ),
    ("culture", "some-work-done"): (
        "Review and revise existing methods so that they include IP questions. Consider "
        "establishing condition-specific user forums to inform service development.",
        "After mapping the IP process in your organisation or partnership, identify where "
        "feedback from different stakeholders can add the most value, and how this can be "
        "obtained at each stage. For example, the pilots found that voluntary and community "
        "sector organisations were particularly helpful when developing and/or submitting "
        "information for the directory.",
    ),
    ("culture", "well-developed"): (
        "Make explicit reference to IP user involvement in organisational engagement "
        "strategies and operational plans.",
        "Make it clear how stakeholder engagement will be sustained throughout the IP "
        "process. For example:",
    ),
    ("systems", "not-well-developed"): (
        "Map formal and informal links between the IP team leads and local clinicians (also "
        "a 'People' action).",
        "Identify the range of service users' needs and the implications of these for user "
        "engagement. For example, how will you hear from service users with special "
        "educational needs? Map the IP pathway, and identify when different methods of "
        "engagement – e.g. focus groups, interviews, feedback forms etc - may be most "
        "useful.",
    ),
    ("systems", "some-work-done"): (
        "Use existing networks in voluntary and community sector – and both formal and "
        "informal meetings – as opportunities to build in information sharing about, or "
        "training on IP rather than imposing new arrangements (also a 'People' action).",
        "Identify ways of ensuring user feedback reaches professionals; they will be more "
        "motivated to use and promote IP if they see evidence that users want it and are "
        "benefiting from it",
    ),
    ("systems", "well-developed"): (
        "If feasible, establish local cross-boundary learning networks – e.g 'virtual "
        "reference groups' or online 'blogs' – as a way of sharing information and "
        "learning.",
        "Consider formalising arrangements for user feedback to be reviewed, analysed and fed "
        "up to senior managers. For example, assess whether it is feasible to link IP with "
        "service development strategies and/or organisational-level engagement strategies.",
    ),
}


@pytest.mark.parametrize(("dimension", "stage"), sorted(FIRST_LAST))
def test_first_and_last_action_of_every_stage(
    framework: Framework, dimension: str, stage: str
) -> None:
    texts = [
        a.text
        for c in framework.dimension(dimension).criteria
        for a in c.actions
        if a.stage_id == stage
    ]
    first, last = FIRST_LAST[(dimension, stage)]
    assert texts[0] == first
    assert texts[-1] == last


def test_groups_split_between_the_two_criteria(framework: Framework) -> None:
    shape = {c.id: [len(c.actions_at(s.id)) for s in framework.stages] for c in framework.criteria}
    assert shape == {
        "people-staff-engagement": [2, 2, 3],
        "people-user-involvement": [3, 2, 1],
        "culture-organisational-priority": [2, 2, 2],
        "culture-project-priority": [1, 1, 1],
        "systems-shared-learning": [1, 1, 1],
        "systems-user-ideas": [1, 2, 1],
    }


def test_sub_bullets_are_details(framework: Framework) -> None:
    action = framework.action("culture-sustain-engagement")
    assert action.details == (
        "Who will take overall responsibility for engagement?",
        "How can each organisation maximise user involvement in IP?",
        "How will you collate and use feedback from stakeholders collected by different agencies?",
    )
    assert sum(bool(a.details) for a in framework.actions) == 1


def test_cross_references_are_data(framework: Framework) -> None:
    same = {a.id: a.same_as for a in framework.actions if a.same_as}
    assert same == {
        "systems-map-clinician-links": "people-map-clinician-links",
        "systems-use-vcs-networks": "people-use-vcs-networks",
        "systems-map-involvement-steps": "people-map-involvement-steps",
    }
    see = {a.id: a.see_also for a in framework.actions if a.see_also}
    assert see == {"culture-use-champions": ("people-identify-clinical-champions",)}
    for target in [*same.values(), *(t for ts in see.values() for t in ts)]:
        assert framework.action(target).dimension_id == "people"


def test_doubled_full_stop_fixed_and_recorded(framework: Framework) -> None:
    text = framework.action("systems-learning-networks").text
    assert text.endswith("sharing information and learning.")
    assert ".." not in text
    source = (Path(__file__).resolve().parent.parent / "framework.yaml").read_text("utf-8")
    assert "doubled full stop" in source


@pytest.mark.skipif(not SEED.is_dir(), reason="seed text not present beside this checkout")
def test_every_seed_bullet_is_in_the_framework(framework: Framework) -> None:
    """Every bullet of the seed text appears in the framework, word for word."""
    seed = "\n".join(p.read_text("utf-8") for p in sorted(SEED.glob("*.txt")))
    bullets = [m.group(1).strip() for m in re.finditer(r"^- ❑ (.+)$", seed, flags=re.MULTILINE)]
    subs = [m.group(1).strip() for m in re.finditer(r"^  - (.+)$", seed, flags=re.MULTILINE)]
    ours = {c.text for c in framework.criteria} | {a.text for a in framework.actions}
    details = {d for a in framework.actions for d in a.details}

    def plain(text: str) -> str:
        return text.replace("*", "").replace("learning..", "learning.")

    assert len(bullets) == 6 + 29
    assert [plain(b) for b in bullets if plain(b) not in ours] == []
    assert set(subs) == details
