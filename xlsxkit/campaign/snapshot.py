"""The framework of each round, kept beside it: ``rounds/<slug>/framework.yaml``.

Why: the framework is revised between rounds (items added, removed, reworded, ids kept),
and framework.yaml then holds only the newest. Two things need the one a round was
generated with:

- ``generate --round`` tells the coordinator what changed since the round the pre-fill
  comes from, rewording included, which only the old wording can show;
- the import of an earlier round checks its workbooks against the wording and items they
  show, not against a later revision (which would call every reworded row tampered with).

The copy is the exact bytes of the file used, written once when the round is made. The
store records the framework's content hash for every round; a copy is used only when it
still has that hash, so a copy edited or replaced by hand is never trusted.
"""

from __future__ import annotations

from pathlib import Path

from xlsxkit.campaign.locate import RoundFolder
from xlsxkit.campaign.store import RoundRecord
from xlsxkit.framework.load import parse_framework
from xlsxkit.framework.model import Framework
from xlsxkit.inputs import MAX_FRAMEWORK_BYTES, InputFileError, read_bounded
from xlsxkit.outfiles import OutputSet, write_failure


def keep_framework(folder: RoundFolder, source: Path, framework: Framework) -> bool:
    """Copy SOURCE (the file FRAMEWORK was loaded from) to the round's folder, replacing
    any copy there atomically. Nothing is written, and False returned, when SOURCE cannot
    be read again or no longer holds FRAMEWORK (it was edited meanwhile)."""
    try:
        raw = read_bounded(source, MAX_FRAMEWORK_BYTES, "framework")
    except InputFileError:
        return False
    loaded = parse_framework(raw, file=str(source)).framework
    if loaded is None or loaded.content_hash != framework.content_hash:
        return False
    target = folder.framework
    with OutputSet([target]) as outs:
        try:
            outs.temp(target).write_bytes(raw)
        except OSError as exc:
            raise write_failure(target, "the round's copy of the framework", exc) from None
        outs.commit()
    return True


def round_framework(folder: RoundFolder, rnd: RoundRecord) -> Framework | None:
    """The framework RND was generated with, from its copy; None when there is none, it
    does not load, or it is not the one the store recorded for the round."""
    try:
        raw = read_bounded(folder.framework, MAX_FRAMEWORK_BYTES, "framework")
    except InputFileError:
        return None
    loaded = parse_framework(raw, file=str(folder.framework))
    framework = loaded.framework
    if framework is None or not loaded.report.ok or framework.content_hash != rnd.framework_hash:
        return None
    return framework
