"""``xlsxkit status``: where every partner of a round stands, from the campaign store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from xlsxkit.app import campaign as cmp
from xlsxkit.app import campaign_status as cst
from xlsxkit.campaign.store import MessageResult
from xlsxkit.cli.options import campaign_option, round_option


@click.command("status")
@campaign_option
@round_option("The round. Default: the latest.", metavar="NAME")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status_cmd(campaign_dir: Path | None, round_name: str | None, as_json: bool) -> None:
    """Show, for every partner of a round, when its workbook was sent and returned.

    One line per partner given a workbook in the round: its status (accepted, blank: came
    back with nothing filled in, rejected: with the reason, missing, or overdue once the
    round's deadline has passed), when the workbook was emailed ('xlsxkit send') or drafted
    (--drafts), or "not emailed yet", how many reminders went out, and when it was returned
    (which file); then the counts. Read from the campaign store only: run 'xlsxkit import'
    (or 'xlsxkit collect --import') first to see new returns.

    \b
    Exit codes: 0 shown; 1 not in a campaign, or no such round; 2 usage error.
    """
    campaign = cmp.require(campaign_dir, "status")
    with campaign.open_store() as store:
        rnd = cmp.pick_round(store, round_name, command="xlsxkit status")
        status = cst.round_status(store, rnd, today=dt.date.today())
    click.echo(_json(status) if as_json else _text(status))


def _when(at: dt.datetime | None) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if at else ""


def _mail(p: cst.PartnerLine) -> str:
    if p.sent is None:
        text = "not emailed yet"
    else:
        verb = "drafted" if p.sent.result is MessageResult.DRAFTED else "emailed"
        text = f"{verb} {_when(p.sent.at)}"
    if p.reminded is not None:
        n = p.reminded.count
        text += f", {n} reminder{'s' * (n != 1)} (last {_when(p.reminded.at)})"
    return text


def _mailed(m: cst.Mailed | None) -> dict[str, str | int] | None:
    if m is None:
        return None
    return {"at": m.at.isoformat(), "result": m.result.value, "count": m.count}


def _text(status: cst.RoundStatus) -> str:
    rnd = status.round
    due = f", due {rnd.deadline.isoformat()}" if rnd.deadline else ", no deadline"
    n = len(status.partners)
    lines = [f"Round '{rnd.name}'{due}: {n} partner{'s' * (n != 1)} (times in UTC)"]
    width = max((len(p.org_name) for p in status.partners), default=0)
    for p in status.partners:
        line = f"  {p.org_name:<{width}}  {p.status.value:<8}  {_mail(p)}"
        if p.returned is not None:
            line += f"  returned {_when(p.returned)}  {p.returned_file}"
        if p.reason:
            line += f"  ({p.reason})"
        lines.append(line)
    counts = status.counts
    lines.append(", ".join(f"{counts[s]} {s.value}" for s in cst.PartnerStatus) + ".")
    return "\n".join(lines)


def _json(status: cst.RoundStatus) -> str:
    rnd = status.round
    return json.dumps(
        {
            "round": {
                "name": rnd.name,
                "slug": rnd.slug,
                "deadline": rnd.deadline.isoformat() if rnd.deadline else None,
            },
            "today": status.today.isoformat(),
            "partners": [
                {
                    "org_id": p.org_id,
                    "org_name": p.org_name,
                    "status": p.status.value,
                    "generated": p.generated.isoformat(),
                    "file": p.file,
                    "sent": _mailed(p.sent),
                    "reminded": _mailed(p.reminded),
                    "returned": p.returned.isoformat() if p.returned else None,
                    "returned_file": p.returned_file or None,
                    "reason": p.reason or None,
                }
                for p in status.partners
            ],
            "counts": {s.value: n for s, n in status.counts.items()},
        },
        ensure_ascii=False,
        indent=2,
    )
