"""Header texts made safe to keep and show, and the automatic-reply test.

Headers arrive in any encoding (RFC 2047 words, raw 8-bit Latin-1 or UTF-8 from old
clients), with control characters and of any length. Everything kept goes through
:func:`clean`: decoded, controls and invisible format characters removed, whitespace
collapsed, cut to :data:`~.model.MAX_HEADER_TEXT`.

An automatic reply (out of office, a vacation responder, a mailing list's bounce) is not
an answer: it is skipped and counted. RFC 3834 ``Auto-Submitted`` is the standard; Exchange,
Postfix and the big providers also use ``X-Autoreply``/``X-Autorespond`` and ``Precedence``,
and some responders set nothing at all but a subject ("Automatic reply: ...", "Out of
office"), so the subject is checked too, in the languages partners most often write.
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
from collections.abc import Callable

from xlsxkit.inbound.mail.model import MAX_HEADER_TEXT

_SPACE = re.compile(r"\s+")


def decode_bytes(raw: bytes) -> str:
    """RAW bytes of a header or name: UTF-8 when they are, else Windows-1252 (never fails)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def clean(text: str, limit: int = MAX_HEADER_TEXT) -> str:
    """TEXT safe to store and show: surrogates (undecodable bytes) decoded as well as they
    can be, controls and format characters removed, whitespace collapsed, cut to LIMIT."""
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_bytes(text.encode("utf-8", "surrogateescape"))
    text = text[: limit * 4]
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return _SPACE.sub(" ", kept).strip()[:limit]


def iso_date(raw: str) -> str:
    """A Date header as ISO 8601, or "" when it does not parse."""
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""
    if when is None:  # pragma: no cover - older Pythons returned None
        return ""
    try:
        return when.isoformat()
    except (ValueError, OverflowError):  # pragma: no cover
        return ""


def address(raw: str) -> tuple[str, str]:
    """(display name, address lower-cased) of a From header; ("", "") when there is none."""
    try:
        name, addr = email.utils.parseaddr(raw)
    except (TypeError, ValueError, IndexError):  # pragma: no cover - parseaddr is lenient
        return "", ""
    addr = clean(addr, 320).lower()
    if "@" not in addr:
        addr = ""
    return clean(name, 200), addr


_AUTO_SUBJECT = re.compile(
    r"^\s*(?:"
    r"automatic reply|auto(?:matic)?[- ]?(?:reply|response|antwort)|auto\s*:|"
    r"out of (?:the )?office|ooo\b|on vacation|away from (?:the )?office|"
    r"abwesenheitsnotiz|automatische antwort|r[ée]ponse automatique|absence du bureau|"
    r"respuesta autom[áa]tica|fuera de la oficina|risposta automatica|fuori sede|"
    r"automatisch antwoord|afwezig|resposta autom[áa]tica|autosvar|automaattinen vastaus|"
    r"odpowied[źz] automatyczna|undeliverable|delivery status notification|"
    r"mail delivery failed|returned mail"
    r")",
    re.IGNORECASE,
)
_OUT_OF_OFFICE = re.compile(r"\bout of (?:the )?office\b", re.IGNORECASE)


def auto_reply_reason(get: Callable[[str], str], subject: str) -> str:
    """Why a message is an automatic reply ("" when it is not). GET returns a header's text
    ("" when absent); SUBJECT is the cleaned subject."""
    submitted = get("Auto-Submitted").strip().lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {clean(submitted, 40)}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        value = get(name).strip().lower()
        if value and value not in ("no", "false", "0"):
            return f"{name}: {clean(value, 40)}"
    precedence = get("Precedence").strip().lower()
    if precedence in ("auto_reply", "bulk", "junk"):
        return f"Precedence: {precedence}"
    if get("X-Auto-Response-Suppress") and get("X-MS-Exchange-Inbox-Rules-Loop"):
        return "an Exchange inbox rule's reply"
    if _AUTO_SUBJECT.match(subject) or _OUT_OF_OFFICE.search(subject):
        return f"subject {subject[:60]!r}"
    return ""
