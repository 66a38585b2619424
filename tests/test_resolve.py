"""The verdict rules of ``resolve``, on constructed returns (no files are read)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from xlsxkit.codes import Code
from xlsxkit.framework.model import Answer, Framework, Return, ReturnStatus
from xlsxkit.inbound.resolve import ImportResult, name_key, resolve
from xlsxkit.problems import error, info
from xlsxkit.workbook.manifest import ManifestRow

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def row(org_id: str, name: str, token: str | None = None) -> ManifestRow:
    return ManifestRow(
        org_id=org_id,
        org_name=name,
        contact="",
        email="",
        file=f"{org_id}.xlsx",
        token=token or f"tok-{org_id}",
        sha256="",
    )


MANIFEST = [row("alpha-trust", "Alpha Trust"), row("bravo-health", "Bravo Health")]


def ret(source: str, org_id: str = "", **kw: object) -> Return:
    fields: dict[str, object] = {
        "source": source,
        "status": ReturnStatus.ACCEPTED,
        "org_id": org_id,
        "org_name": org_id.replace("-", " ").title(),
        "token": f"tok-{org_id}",
        "sha256": f"sha-{source}",
        "saved_at": "2026-11-01T12:00:00+00:00",
        "saved_at_source": "document",
        "file_saved_at": "2026-11-01T12:00:00+00:00",
        # something filled in (a return with no answers at all is blank)
        "answers": (Answer(item_id="c1", sheet="People", row=5, stage_id="some-work-done"),),
    }
    fields.update(kw)
    return Return(**fields)  # type: ignore[arg-type]


def generic(source: str, typed: str, **kw: object) -> Return:
    return ret(source, "", org_name=typed, generic=True, token="", **kw)


def run(
    framework: Framework, *returns: Return, manifest: list[ManifestRow] | None = MANIFEST
) -> ImportResult:
    return resolve(returns, framework, manifest, now=NOW)


def verdicts(result: ImportResult) -> dict[str, tuple[str, str]]:
    return {r.source: (r.status, r.org_id) for r in result.returns}


def codes(result: ImportResult, source: str) -> list[str]:
    [r] = [r for r in result.returns if r.source == source]
    return [p.code for p in r.problems]


def test_the_latest_save_supersedes_the_earlier(framework: Framework) -> None:
    result = run(
        framework,
        ret("a.xlsx", "alpha-trust", saved_at="2026-11-01T10:00:00+00:00"),
        ret("b.xlsx", "alpha-trust", saved_at="2026-11-05T10:00:00+00:00"),
        manifest=None,
    )
    assert verdicts(result)["a.xlsx"][0] == ReturnStatus.SUPERSEDED
    assert verdicts(result)["b.xlsx"][0] == ReturnStatus.ACCEPTED
    [sup] = [r for r in result.returns if r.status == ReturnStatus.SUPERSEDED]
    assert "b.xlsx" in sup.reason and "saved later" in sup.reason
    assert result.expected is None and result.missing == ()


def test_equal_save_times_are_decided_by_the_later_file_name(framework: Framework) -> None:
    result = run(framework, ret("b.xlsx", "alpha-trust"), ret("a.xlsx", "alpha-trust"))
    assert verdicts(result)["b.xlsx"][0] == ReturnStatus.ACCEPTED
    assert verdicts(result)["a.xlsx"][0] == ReturnStatus.SUPERSEDED


def test_byte_identical_copies_are_duplicates_of_the_first(framework: Framework) -> None:
    result = run(
        framework,
        ret("a.xlsx", "alpha-trust", sha256="same"),
        ret("b.xlsx", "alpha-trust", sha256="same"),
    )
    assert [r.status for r in result.returns] == [ReturnStatus.ACCEPTED, ReturnStatus.DUPLICATE]
    assert "a.xlsx" in result.returns[1].reason


def test_a_forwarded_copy_is_refused_when_the_right_token_came_back(
    framework: Framework,
) -> None:
    result = run(
        framework,
        ret("mine.xlsx", "alpha-trust"),
        ret("fwd.xlsx", "alpha-trust", token="other", saved_at="2026-11-20T00:00:00+00:00"),
    )
    [fwd] = [r for r in result.returns if r.source == "fwd.xlsx"]
    assert (fwd.status, fwd.code) == (ReturnStatus.REJECTED, "token-mismatch")
    assert verdicts(result)["mine.xlsx"][0] == ReturnStatus.ACCEPTED


def test_a_wrong_token_alone_is_imported_with_a_warning(framework: Framework) -> None:
    result = run(framework, ret("stale.xlsx", "bravo-health", token="old"))
    assert verdicts(result)["stale.xlsx"][0] == ReturnStatus.ACCEPTED
    assert codes(result, "stale.xlsx") == ["token-mismatch"]
    assert [m.org_id for m in result.missing] == ["alpha-trust"]
    assert result.expected == 2


def test_an_organisation_not_in_the_manifest_is_flagged(framework: Framework) -> None:
    result = run(framework, ret("z.xlsx", "zulu"))
    assert codes(result, "z.xlsx") == ["not-in-manifest"]
    assert [m.org_id for m in result.missing] == ["alpha-trust", "bravo-health"]


def test_missing_lists_every_organisation_without_an_accepted_return(
    framework: Framework,
) -> None:
    corrupt = error(Code.CORRUPT, "damaged", file="r.xlsx")
    rejected = ret("r.xlsx", "bravo-health", status=ReturnStatus.REJECTED, verdict=corrupt)
    result = run(framework, ret("a.xlsx", "alpha-trust"), rejected)
    assert [m.org_name for m in result.missing] == ["Bravo Health"]


def test_skipped_entries_pass_through_untouched(framework: Framework) -> None:
    hidden = info(Code.SKIPPED, "a hidden file; not a return", file=".DS_Store")
    skipped = Return(source=".DS_Store", status=ReturnStatus.SKIPPED, verdict=hidden)
    result = run(framework, skipped)
    assert result.returns == (skipped,)


# generic workbooks -----------------------------------------------------------------------


def test_a_generic_workbook_takes_the_manifest_organisation_by_name(
    framework: Framework,
) -> None:
    result = run(framework, generic("g.xlsx", "  ALPHA   trust "))
    assert verdicts(result)["g.xlsx"] == (ReturnStatus.ACCEPTED, "alpha-trust")
    assert result.returns[0].org_name == "Alpha Trust"
    assert codes(result, "g.xlsx") == []


def test_a_token_verified_return_outranks_a_later_generic_one(framework: Framework) -> None:
    result = run(
        framework,
        ret("genuine.xlsx", "alpha-trust", saved_at="2026-11-01T00:00:00+00:00"),
        generic("generic.xlsx", "Alpha Trust", saved_at="2026-11-30T00:00:00+00:00"),
    )
    assert verdicts(result)["genuine.xlsx"][0] == ReturnStatus.ACCEPTED
    [loser] = [r for r in result.returns if r.source == "generic.xlsx"]
    assert loser.status == ReturnStatus.SUPERSEDED
    assert "token matches the manifest" in loser.reason and "generic" in loser.reason


def test_punctuation_in_a_typed_name_cannot_take_over_a_verified_return(
    framework: Framework,
) -> None:
    # Punctuation in the typed name gives the same id as the genuine organisation.
    result = run(
        framework,
        ret("genuine.xlsx", "alpha-trust", saved_at="2026-11-01T00:00:00+00:00"),
        generic("loud.xlsx", "Alpha-Trust!!", saved_at="2026-11-30T00:00:00+00:00"),
    )
    assert verdicts(result) == {
        "genuine.xlsx": (ReturnStatus.ACCEPTED, "alpha-trust"),
        "loud.xlsx": (ReturnStatus.SUPERSEDED, "alpha-trust"),
    }


def test_typed_names_match_ignoring_invisible_characters_case_and_punctuation(
    framework: Framework,
) -> None:
    for typed in ("Bravo\u200bHealth", "bravo-health", "BRAVO  HEALTH.", "\ufeffBravo Health"):
        result = run(framework, generic("g.xlsx", typed))
        assert verdicts(result)["g.xlsx"] == (ReturnStatus.ACCEPTED, "bravo-health"), typed
        assert [m.org_id for m in result.missing] == ["alpha-trust"], typed


def test_a_typed_name_matching_nobody_is_flagged_with_the_closest_match(
    framework: Framework,
) -> None:
    result = run(framework, generic("g.xlsx", "Bravo Helth"))
    [r] = result.returns
    assert r.status == ReturnStatus.ACCEPTED
    [flag] = r.problems
    assert flag.code == "unknown-organisation"
    assert "'Bravo Health'" in flag.message and "'Bravo Helth'" in flag.message
    assert [m.org_id for m in result.missing] == ["alpha-trust", "bravo-health"]
    far = run(framework, generic("g.xlsx", "Quokka Quarry"))
    assert (
        "no organisation in the manifest has a similar name" in far.returns[0].problems[0].message
    )


def test_an_empty_or_invisible_typed_name_is_refused(framework: Framework) -> None:
    for typed in ("\u200b\u200c\u200d", "\u2060", "!!", ""):
        result = run(framework, generic("g.xlsx", typed), manifest=None)
        [r] = result.returns
        assert (r.status, r.code) == (ReturnStatus.REJECTED, "no-organisation"), repr(typed)
        assert "type the organisation's name" in r.reason


def test_name_keys_drop_invisible_characters_spacing_and_punctuation() -> None:
    assert name_key("Charlie-Care!!") == name_key("charlie care") == "charliecare"
    assert name_key("Ｂravo") == "bravo"  # full-width forms fold
    assert name_key("\u200b\u00ad\u2063") == ""


# save times from the future ---------------------------------------------------------------


def test_a_save_time_in_the_future_is_not_trusted(framework: Framework) -> None:
    result = run(
        framework,
        ret(
            "future.xlsx",
            "alpha-trust",
            saved_at="2099-01-01T00:00:00+00:00",
            file_saved_at="2026-11-02T00:00:00+00:00",
        ),
        ret("correction.xlsx", "alpha-trust", saved_at="2026-11-25T00:00:00+00:00"),
    )
    assert verdicts(result)["correction.xlsx"][0] == ReturnStatus.ACCEPTED
    [future] = [r for r in result.returns if r.source == "future.xlsx"]
    assert future.status == ReturnStatus.SUPERSEDED
    assert future.saved_at == "2026-11-02T00:00:00+00:00"
    assert future.saved_at_source == "file"


def test_a_future_save_time_is_warned_about(framework: Framework) -> None:
    result = run(
        framework,
        ret("future.xlsx", "alpha-trust", saved_at="2099-01-01T00:00:00+00:00"),
    )
    [r] = result.returns
    assert r.status == ReturnStatus.ACCEPTED
    [flag] = r.problems
    assert flag.code == "future-save-time"
    assert "2099-01-01" in flag.message and "clock" in flag.message


def test_a_save_time_within_a_day_of_clock_skew_is_trusted(framework: Framework) -> None:
    soon = (NOW + dt.timedelta(hours=23)).isoformat()
    result = run(framework, ret("a.xlsx", "alpha-trust", saved_at=soon))
    assert result.returns[0].saved_at == soon and result.returns[0].problems == ()


def test_when_both_times_are_in_the_future_the_return_ranks_as_oldest(
    framework: Framework,
) -> None:
    future = dataclasses.replace(
        ret("f.xlsx", "alpha-trust"),
        saved_at="2099-01-01T00:00:00+00:00",
        file_saved_at="2098-01-01T00:00:00+00:00",
    )
    result = run(framework, future, ret("old.xlsx", "alpha-trust", saved_at="2020-01-01T00:00"))
    assert verdicts(result)["old.xlsx"][0] == ReturnStatus.ACCEPTED
    assert verdicts(result)["f.xlsx"][0] == ReturnStatus.SUPERSEDED


# Rounds are identities (in a campaign) ---------------------------------------------------

SPRING = "2027 spring"


def run_round(
    framework: Framework,
    *returns: Return,
    expected: str | None = SPRING,
    manifest: list[ManifestRow] | None = MANIFEST,
) -> ImportResult:
    return resolve(returns, framework, manifest, now=NOW, expected_round=expected)


def test_a_workbook_of_another_round_is_rejected_naming_both_rounds(framework: Framework) -> None:
    result = run_round(
        framework,
        ret("old.xlsx", "alpha-trust", round="2026 autumn"),
        ret("new.xlsx", "bravo-health", round=SPRING),
    )
    assert verdicts(result) == {
        "old.xlsx": (ReturnStatus.REJECTED, "alpha-trust"),
        "new.xlsx": (ReturnStatus.ACCEPTED, "bravo-health"),
    }
    [old] = [r for r in result.returns if r.source == "old.xlsx"]
    assert old.code == Code.OTHER_ROUND
    assert old.reason == "this is the 2026 autumn workbook; ask for the 2027 spring one"
    assert old.answers == () and old.problems == ()
    # its organisation has not returned this round's workbook: still to chase
    assert [m.org_id for m in result.missing] == ["alpha-trust"]


def test_another_rounds_workbook_never_supersedes_even_when_saved_later(
    framework: Framework,
) -> None:
    result = run_round(
        framework,
        ret("spring.xlsx", "alpha-trust", round=SPRING, saved_at="2026-11-01T10:00:00+00:00"),
        ret(
            "autumn.xlsx", "alpha-trust", round="2026 autumn", saved_at="2026-11-09T10:00:00+00:00"
        ),
    )
    assert verdicts(result)["spring.xlsx"][0] == ReturnStatus.ACCEPTED
    assert verdicts(result)["autumn.xlsx"][0] == ReturnStatus.REJECTED
    [spring] = [r for r in result.returns if r.source == "spring.xlsx"]
    assert spring.problems == ()  # not flagged as a forwarded copy or a stale token


def test_another_rounds_workbook_with_the_right_token_is_still_rejected(
    framework: Framework,
) -> None:
    # The same token (a round that reused it, or a manifest row copied over) does not make
    # another round's workbook this round's return.
    result = run_round(framework, ret("old.xlsx", "alpha-trust", round="2026 autumn"))
    assert verdicts(result)["old.xlsx"][0] == ReturnStatus.REJECTED
    assert {m.org_id for m in result.missing} == {"alpha-trust", "bravo-health"}


def test_a_generic_workbook_of_another_round_is_rejected(framework: Framework) -> None:
    result = run_round(framework, generic("g.xlsx", "Alpha Trust", round="2026 autumn"))
    [g] = result.returns
    assert g.status == ReturnStatus.REJECTED and g.code == Code.OTHER_ROUND


def test_a_blank_workbook_of_another_round_is_rejected_not_blank(framework: Framework) -> None:
    result = run_round(framework, ret("old.xlsx", "alpha-trust", round="2026 autumn", answers=()))
    assert result.returns[0].status == ReturnStatus.REJECTED
    assert result.returns[0].code == Code.OTHER_ROUND


def test_a_workbook_naming_no_round_is_rejected_in_a_campaign(framework: Framework) -> None:
    result = run_round(framework, ret("plain.xlsx", "alpha-trust", round=""))
    [r] = result.returns
    assert r.status == ReturnStatus.REJECTED and r.code == Code.OTHER_ROUND
    assert "names no round" in r.reason and "ask for the 2027 spring one" in r.reason


def test_the_round_is_compared_ignoring_case_and_spacing(framework: Framework) -> None:
    result = run_round(framework, ret("a.xlsx", "alpha-trust", round=" 2027  Spring\u200b"))
    assert result.returns[0].status == ReturnStatus.ACCEPTED


def test_outside_a_campaign_the_round_is_not_checked(framework: Framework) -> None:
    result = run_round(
        framework,
        ret("a.xlsx", "alpha-trust", round="2026 autumn"),
        ret("b.xlsx", "bravo-health", round=""),
        expected=None,
    )
    assert {s for s, _ in verdicts(result).values()} == {ReturnStatus.ACCEPTED}


def test_files_not_read_keep_their_verdict_in_a_campaign(framework: Framework) -> None:
    skipped = Return(
        source="~$lock.xlsx",
        status=ReturnStatus.SKIPPED,
        verdict=info(Code.SKIPPED, "a lock file"),
    )
    result = run_round(framework, skipped)
    assert result.returns[0].status == ReturnStatus.SKIPPED
