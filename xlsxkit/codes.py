"""The catalogue of every problem code: defined once, here.

A code is stable: it is written to problems.csv, to ``validate --json`` and to the summary's
Problems sheet, and coordinators filter on it. So a code is never renamed, and every code
xlsxkit can emit is a member of :class:`Code`, which carries its catalogue entry: the
severities it is emitted with, what it means, and what the user should do. ``Problem.code``
is typed :class:`Code`, so mypy rejects a problem made with a bare string, and
``tests/test_codes.py`` rejects a code string that bypasses the catalogue.

To add a code:

1. add one member below, in its scope's group: ``NAME = "the-code", SCOPE, SEVERITIES,
   "meaning", "what to do"``;
2. regenerate the README table: ``python -m xlsxkit.codes --write-readme`` (or paste the
   output of ``python -m xlsxkit.codes --markdown`` between the README's
   ``<!-- codes:begin -->`` and ``<!-- codes:end -->`` markers). A test fails until the
   README and the catalogue agree.

This module is part of the shared base: it imports nothing from xlsxkit.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """How bad a problem is.

    ``error``: validate and generate fail, and an imported file is rejected. ``warning``: the
    job goes on and the problem is listed. ``info``: the reason a returned file got its
    status when it is not rejected (superseded, duplicate, skipped, blank).
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Scope(StrEnum):
    """What a code is about; the README groups the catalogue by it."""

    FRAMEWORK = "framework file"
    ORGANISATIONS = "organisation list"
    RETURNS = "returned file"
    SETTINGS = "campaign settings file"
    SENDING = "email sent"
    MAIL = "collected mail"


_F, _O, _R = Scope.FRAMEWORK, Scope.ORGANISATIONS, Scope.RETURNS
_E = (Severity.ERROR,)
_W = (Severity.WARNING,)
_I = (Severity.INFO,)
_EW = (Severity.ERROR, Severity.WARNING)

_FIX_FRAMEWORK = "Fix the framework file at the line shown, then run `xlsxkit validate` again."
_RESEND = "Ask the partner to send back the workbook they were sent (.xlsx, .xlsm, .xls or .ods)."
_FIX_LIST = "Correct the organisation list at the line or cell shown, then run `generate` again."


class Code(StrEnum):
    """Every problem code. The value is the code as written to files and shown to users."""

    scope: Scope
    severities: tuple[Severity, ...]
    meaning: str
    todo: str

    def __new__(
        cls, value: str, scope: Scope, severities: tuple[Severity, ...], meaning: str, todo: str
    ) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.scope = scope
        member.severities = severities
        member.meaning = meaning
        member.todo = todo
        return member

    # the framework file (validate; generate, import and demo refuse an invalid one) ----
    FILE_NOT_FOUND = (
        "file-not-found",
        _F,
        _E,
        "No such file, or not a file (a folder, device or pipe)",
        "Check the path.",
    )
    FILE_TOO_LARGE = (
        "file-too-large",
        _F,
        _E,
        "The file is larger than a framework file can be",
        "Check that this is the framework file.",
    )
    FILE_UNREADABLE = (
        "file-unreadable",
        _F,
        _E,
        "The file cannot be read (permissions, a disk error)",
        "Check that the file can be opened, or copy it somewhere readable.",
    )
    NOT_UTF8 = "not-utf8", _F, _E, "The file is not UTF-8 text", "Save it as UTF-8 in your editor."
    YAML_SYNTAX = (
        "yaml-syntax",
        _F,
        _E,
        "The file is not valid YAML (indentation, a missing ':', tabs, an open quote)",
        "Fix the line and column shown; the message gives a hint.",
    )
    YAML_MULTIPLE_DOCUMENTS = (
        "yaml-multiple-documents",
        _F,
        _E,
        "A line `---` starts a second YAML document",
        "Keep one framework per file.",
    )
    YAML_TOO_LARGE = (
        "yaml-too-large",
        _F,
        _E,
        "Aliases (`*name`) expand to too many values",
        "Write the values out instead of using aliases.",
    )
    YAML_TOO_DEEP = (
        "yaml-too-deep",
        _F,
        _E,
        "Lists or mappings are nested too deeply to read (a framework nests five levels)",
        "Look for unclosed or repeated `[` or `{`, or lines indented further and further.",
    )
    DUPLICATE_KEY = (
        "duplicate-key",
        _F,
        _E,
        "The same key is given twice in one mapping",
        "Remove or rename one of them.",
    )
    NOT_A_FRAMEWORK = (
        "not-a-framework",
        _F,
        _E,
        "The file is empty or is not a framework",
        "Start it with the `framework:`, `stages:` and `dimensions:` sections.",
    )
    MISSING_FIELD = "missing-field", _F, _E, "A required field is missing", "Add it where shown."
    UNKNOWN_FIELD = (
        "unknown-field",
        _F,
        _E,
        "A field the schema does not know (often a typo)",
        "Rename it to the suggested field, or remove it.",
    )
    INVALID_ID = (
        "invalid-id",
        _F,
        _E,
        "A stage id used as a key is not a valid id",
        "Use lowercase letters, digits and single hyphens.",
    )
    WRONG_TYPE = (
        "wrong-type",
        _F,
        _E,
        "A value has the wrong type (a list where text is expected, …)",
        _FIX_FRAMEWORK,
    )
    INVALID_VALUE = (
        "invalid-value",
        _F,
        _E,
        "An id or a colour is not written as required",
        "Follow the message's example (ids: lowercase, digits, hyphens; colours: #RRGGBB).",
    )
    EMPTY_VALUE = "empty-value", _F, _E, "A value must not be empty", "Fill it in."
    TOO_LONG = "too-long", _F, _E, "A text is longer than allowed", "Shorten it."
    TOO_FEW = (
        "too-few",
        _F,
        _E,
        "A list has fewer items than required (e.g. at least 2 stages)",
        "Add items.",
    )
    TOO_MANY = (
        "too-many",
        _F,
        _E,
        "A list has more items than allowed (e.g. at most 7 stages)",
        "Remove or merge items.",
    )
    REPEATED_ITEM = (
        "repeated-item",
        _F,
        _E,
        "A list names the same id twice",
        "Remove the repeat.",
    )
    SCHEMA = "schema", _F, _E, "Another schema rule is broken", _FIX_FRAMEWORK
    DUPLICATE_ID = (
        "duplicate-id",
        _F,
        _E,
        "An id is used twice; ids are unique across the whole file",
        "Rename one of them.",
    )
    UNDECLARED_STAGE = (
        "undeclared-stage",
        _F,
        _E,
        "Actions are grouped under a stage that is not declared",
        "Use one of the declared stage ids (the message lists them).",
    )
    SELF_REFERENCE = (
        "self-reference",
        _F,
        _E,
        "An action's `same_as` or `see_also` names the action itself",
        "Name another action, or remove the reference.",
    )
    UNKNOWN_REFERENCE = (
        "unknown-reference",
        _F,
        _E,
        "`same_as` or `see_also` names an action that does not exist",
        "Correct the id (the message suggests the closest).",
    )
    DUPLICATE_STAGE_LABEL = (
        "duplicate-stage-label",
        _F,
        _E,
        "Two stage labels differ only by case, spaces or hyphens",
        "Reword one so that a partner typing it cannot be misread.",
    )
    AMBIGUOUS_STAGE = (
        "ambiguous-stage",
        _F,
        _E,
        "A stage id reads as another stage's label or id",
        "Rename the id.",
    )
    SHEET_NAME = (
        "sheet-name",
        _F,
        _W,
        "A dimension name cannot be an Excel sheet name as it is",
        "Nothing, or shorten the name / remove `[]:*?/\\`; the message says the sheet's name.",
    )
    STAGE_LABEL_FORMULA = (
        "stage-label-formula",
        _F,
        _W,
        "A stage label starts with `=`, `+`, `-` or `@`",
        "Reword it: spreadsheet apps may read it as a formula.",
    )
    STAGE_LABEL_NUMBER = (
        "stage-label-number",
        _F,
        _W,
        "A stage label looks like a number or TRUE/FALSE",
        "Use words: spreadsheet apps may change it.",
    )

    # the campaign settings file (xlsxkit.yaml); the file and YAML codes above apply too --
    SETTINGS_INVALID = (
        "settings-invalid",
        Scope.SETTINGS,
        _E,
        "A setting is unknown or its value cannot be used",
        "Fix xlsxkit.yaml at the line shown; the message says what the value must be.",
    )

    # email sent (xlsxkit send): one partner's message; the run goes on ----------------
    NO_EMAIL_ADDRESS = (
        "no-email-address",
        Scope.SENDING,
        _W,
        "The partner has no email address in the partner list, so nothing was sent to it",
        "Add its address (column email of partners.csv), then run `xlsxkit send` again.",
    )
    SEND_FAILED = (
        "send-failed",
        Scope.SENDING,
        _E,
        "The message was not sent: the server refused it, or it could not be made",
        "Read the reason shown; run `xlsxkit send` again to try it again.",
    )
    SEND_UNCONFIRMED = (
        "send-unconfirmed",
        Scope.SENDING,
        _W,
        "The message was cut off while being sent: it may have arrived, so it is not sent again",
        "Check the Sent folder or ask the partner; if it did not arrive, "
        "run `xlsxkit send --resend ORG`.",
    )
    NO_FEEDBACK_FILE = (
        "no-feedback-file",
        Scope.SENDING,
        _I,
        "The partner has no feedback workbook yet, so no feedback was sent to it",
        "Run `xlsxkit feedback` for the round, then `xlsxkit send --feedback` again.",
    )

    # the organisation list (generate) ----------------------------------------------
    ORG_LIST_TOO_LARGE = (
        "org-list-too-large",
        _O,
        _E,
        "The file is too large to be an organisation list, or a sheet has cells beyond row "
        "5,000 or column BL",
        "Check that it is the right file; delete the far cells.",
    )
    ORG_LIST_UNREADABLE = (
        "org-list-unreadable",
        _O,
        _E,
        "The file or spreadsheet cannot be read",
        "Save it as .xlsx or .csv and try again.",
    )
    ORG_LIST_ENCODING = (
        "org-list-encoding",
        _O,
        _E,
        "The text cannot be decoded",
        "Save it as UTF-8 CSV.",
    )
    ORG_LIST_EMPTY = (
        "org-list-empty",
        _O,
        _E,
        "The list (or its first sheet) is empty",
        "Add the header id,name,contact,email and one row per organisation.",
    )
    ORG_LIST_NO_ORGANISATIONS = (
        "org-list-no-organisations",
        _O,
        _E,
        "The list has its header but no organisations",
        "Add one row per organisation under the header.",
    )
    ORG_LIST_HEADER = (
        "org-list-header",
        _O,
        _E,
        "The header has no `name` column",
        "Make the first row id,name,contact,email.",
    )
    ORG_LIST_EXTRA_COLUMNS = (
        "org-list-extra-columns",
        _O,
        _W,
        "Columns other than id, name, contact, email",
        "Nothing: they are ignored.",
    )
    ORG_BLANK_NAME = "org-blank-name", _O, _E, "A row has no name", _FIX_LIST
    ORG_NAME_TOO_LONG = "org-name-too-long", _O, _E, "A name is too long", _FIX_LIST
    ORG_CONTACT_TOO_LONG = "org-contact-too-long", _O, _E, "A contact is too long", _FIX_LIST
    ORG_INVALID_ID = (
        "org-invalid-id",
        _O,
        _E,
        "An id uses characters other than letters, digits, `.`, `_`, `-`",
        "Use the suggested id, or leave the id blank to make one from the name.",
    )
    ORG_INVALID_EMAIL = (
        "org-invalid-email",
        _O,
        _E,
        "An email is not an email address",
        _FIX_LIST,
    )
    ORG_DUPLICATE_ID = (
        "org-duplicate-id",
        _O,
        _E,
        "Two organisations have the same id (perhaps made from their names)",
        "Give each organisation its own id.",
    )
    ORG_DUPLICATE_NAME = (
        "org-duplicate-name",
        _O,
        _E,
        "An organisation is listed twice",
        "Remove the repeat.",
    )

    # returned files (import): rejections ---------------------------------------------
    EMPTY_FILE = "empty-file", _R, _E, "The file is empty (0 bytes)", _RESEND
    UNREADABLE = (
        "unreadable",
        _R,
        _E,
        "The file cannot be read from the disk",
        "Check its permissions, or copy it somewhere readable.",
    )
    NOT_A_FILE = (
        "not-a-file",
        _R,
        _E,
        "A named pipe, socket or device among the sources; it was never opened",
        "Save the returned workbook as an ordinary file and import again.",
    )
    UNREADABLE_FOLDER = (
        "unreadable-folder",
        _R,
        _E,
        "A folder among the sources that cannot be opened; its files were not searched",
        "Give yourself permission to read it (or copy its files elsewhere) and import again.",
    )
    EMAIL_MESSAGE = (
        "email-message",
        _R,
        _E,
        "A saved email message (.eml, .msg), not a spreadsheet; the message names its "
        "spreadsheet attachments when it can",
        "Open the message, save the attached workbook into the folder, and import again.",
    )
    NOT_A_WORKBOOK = (
        "not-a-workbook",
        _R,
        _E,
        "Not a spreadsheet (a CSV, PDF, Word file, image, zip, .xlsb…; the message says what)",
        _RESEND,
    )
    PASSWORD_PROTECTED = (
        "password-protected",
        _R,
        _E,
        "The workbook has a password to open",
        "Ask the partner to remove it or send it unprotected (sheet protection is fine).",
    )
    CORRUPT = (
        "corrupt",
        _R,
        _E,
        "The file is damaged (truncated or corrupted, perhaps in transit)",
        "Ask the partner to save and attach the workbook again.",
    )
    TOO_LARGE = (
        "too-large",
        _R,
        _E,
        "The file, or what it unpacks to, is over xlsxkit's limits",
        "Check that it is an assessment workbook; ask for the original one.",
    )
    TOO_COMPLEX = (
        "too-complex",
        _R,
        _E,
        "The file holds far more parts than a workbook, or cells beyond the reading bounds "
        "that cannot be cut off safely",
        "Check that it is an assessment workbook; ask for the original one.",
    )
    DUPLICATE_PARTS = (
        "duplicate-parts",
        _R,
        _E,
        "Two parts of the container have one name (differing only in case or slashes), "
        "which readers confuse (possibly hostile)",
        "Ask for the original workbook; do not open this file.",
    )
    XML_ENTITIES = (
        "xml-entities",
        _R,
        _E,
        "The file declares a DOCTYPE or XML entities (possibly hostile)",
        "Ask for the original workbook; do not open this file.",
    )
    UNSAFE_FILE = (
        "unsafe-file",
        _R,
        _E,
        "Reading the file crashed the reader or exhausted its memory",
        "Ask the partner to send the original workbook again.",
    )
    TOO_SLOW = (
        "too-slow",
        _R,
        _E,
        "Reading the file took longer than the time limit",
        "Ask the partner to send the original workbook again.",
    )
    NO_SHEETS = "no-sheets", _R, _E, "The workbook has no sheets", _RESEND
    NO_IDENTITY = (
        "no-identity",
        _R,
        _E,
        "No hidden xlsxkit identity sheet: not generated by xlsxkit, or copied into a new file",
        "Ask the partner to fill in the original workbook they were sent.",
    )
    UNKNOWN_LAYOUT = (
        "unknown-layout",
        _R,
        _E,
        "The workbook was made by a different version of xlsxkit",
        "Import it with the xlsxkit that made it.",
    )
    OTHER_FRAMEWORK = (
        "other-framework",
        _R,
        _E,
        "The workbook belongs to another framework",
        "Import it with that framework (`--framework`).",
    )
    NO_ORGANISATION = (
        "no-organisation",
        _R,
        _E,
        "A generic workbook with no organisation name typed on its Start sheet (or one of "
        "only invisible characters or punctuation)",
        "Ask the partner to type it in the yellow cell and send it again.",
    )
    TOKEN_MISMATCH = (
        "token-mismatch",
        _R,
        _EW,
        "The workbook's token is not the one sent to the organisation it claims",
        "Rejected when that organisation's own workbook also came back; a warning when it "
        "is the only one. If another organisation filled in a forwarded copy, send it its "
        "own workbook.",
    )
    OTHER_ROUND = (
        "other-round",
        _R,
        _E,
        "In a campaign: the workbook was made for another round than the one imported (the "
        "reason names its round); it never supersedes this round's return",
        "Ask the partner for this round's workbook; import an earlier round's file with "
        "`--round` naming its round.",
    )
    INTERNAL_ERROR = (
        "internal-error",
        _R,
        _E,
        "xlsxkit failed on this file: a bug in xlsxkit",
        "Report it with the file; the rest of the batch was imported.",
    )

    # returned files (import): warnings on accepted returns ---------------------------
    FRAMEWORK_VERSION = (
        "framework-version",
        _R,
        _W,
        "Made from another version of this framework",
        "Check the items the message lists; the others were imported.",
    )
    NOT_IN_MANIFEST = (
        "not-in-manifest",
        _R,
        _W,
        "The organisation is not in the manifest",
        "Check that the workbook comes from this batch; its answers were imported.",
    )
    UNKNOWN_ORGANISATION = (
        "unknown-organisation",
        _R,
        _W,
        "The name typed on a generic workbook matches no organisation in the manifest; the "
        "message names the closest match",
        "If it is that organisation's return, correct the name on its Start sheet and "
        "import again; otherwise nothing: it was imported as a new organisation.",
    )
    FUTURE_SAVE_TIME = (
        "future-save-time",
        _R,
        _W,
        "The save time in the file is later than the import itself; the file's own time was "
        "used to decide which return is the latest",
        "Check the clock of the computer it was saved on; remove the file if it is not the "
        "latest return.",
    )
    DUPLICATE_ITEM = (
        "duplicate-item",
        _R,
        _W,
        "An item appears twice (a copied sheet?)",
        "Check which answer is meant; the first one was used.",
    )
    WORDING_EDITED = (
        "wording-edited",
        _R,
        _W,
        "The locked wording of a criterion or action was edited in the workbook; the answer "
        "was still taken, by the row's id",
        "Check with the partner that the answer is meant for the wording in the framework.",
    )
    EXTRA_SHEET = (
        "extra-sheet",
        _R,
        _W,
        "A sheet that is not part of the form",
        "Nothing, unless the partner put answers there: its content was not imported.",
    )
    CONTENT_OUTSIDE_FORM = (
        "content-outside-form",
        _R,
        _W,
        "Cells outside the form's rows and columns",
        "Nothing, unless the partner put answers there: they were ignored.",
    )
    MISSING_CACHED_VALUE = (
        "missing-cached-value",
        _R,
        _W,
        "A formula saved without its value; the item was left unanswered",
        "Open and save the file in Excel or LibreOffice, then import it again.",
    )
    UNREADABLE_STAGE = (
        "unreadable-stage",
        _R,
        _W,
        "The value is not a stage of this framework; the criterion was left unanswered",
        "Ask the partner which stage they meant.",
    )
    UNREADABLE_TICK = (
        "unreadable-tick",
        _R,
        _W,
        "The value is not a tick; the action was left unanswered",
        "Ask the partner; ticks are TRUE/FALSE, yes/no, x or ✓.",
    )
    UNREADABLE_DATE = (
        "unreadable-date",
        _R,
        _W,
        "The target date cannot be read without guessing; it was left blank",
        "Ask the partner to write dates as 2027-03-31.",
    )
    TEXT_TRUNCATED = (
        "text-truncated",
        _R,
        _W,
        "A text in the return is longer than an Excel cell can hold (32,767 characters); "
        "only its start was imported",
        "Ask the partner for the full text (the warning names the cell).",
    )
    SUMMARY_TEXT_CUT = (
        "summary-text-cut",
        _R,
        _W,
        "A partner's text is longer than an Excel cell holds; the summary shows its start",
        "Nothing: the whole text is in the return and in the CSV files (--data).",
    )
    STAGE_NOT_SUPPORTED = (
        "stage-not-supported",
        _R,
        _W,
        "A consistency flag: the stage claimed for a criterion is not supported by the "
        "actions ticked at or below it (fewer done than the campaign's threshold, by default "
        "half, of at least 3 actions); the answer stands",
        "Ask the partner to check the stage or the ticks (the flag is in its feedback too); "
        "the rule is set in xlsxkit.yaml, 'consistency:'.",
    )

    # returned files (import): the reason for a status other than rejected -------------
    SUPERSEDED = (
        "superseded",
        _R,
        _I,
        "An earlier save of an organisation's workbook; the reason names the later one",
        "Nothing; check the reason if the wrong save won.",
    )
    DUPLICATE = (
        "duplicate",
        _R,
        _I,
        "A byte-identical copy of another file, or a link to a file or folder listed under "
        "its own name",
        "Nothing.",
    )
    BLANK = (
        "blank",
        _R,
        _I,
        "The workbook came back with nothing filled in; the organisation is still to chase",
        "Ask the partner to fill in the workbook and send it back.",
    )
    SKIPPED = (
        "skipped",
        _R,
        _I,
        "A lock, temporary, system or hidden file (or one in a hidden folder), or a link "
        "that is not followed (broken, a loop, or pointing outside the sources)",
        "Nothing: it is not a return (give a link's target as a source to import it).",
    )
    NOT_A_SPREADSHEET = (
        "not-a-spreadsheet",
        _R,
        _I,
        "An image not named as a spreadsheet (an email signature, a logo)",
        "Nothing: it is not a return.",
    )
    XLSXKIT_OUTPUT = (
        "xlsxkit-output",
        _R,
        _I,
        "An output of xlsxkit itself (a summary workbook, its CSV files, a manifest or a "
        "partner's feedback workbook)",
        "Nothing: it is not a return.",
    )

    # collected mail (collect): messages and attachments ------------------------------
    MAIL_UNREADABLE = (
        "mail-unreadable",
        Scope.MAIL,
        _E,
        "A mail source cannot be read (no such file, a server that refuses the connection "
        "or the login, a folder that is not there), or a spreadsheet cannot be saved",
        "Check the path, address or password the message names, then run collect again.",
    )
    MAIL_MALFORMED = (
        "mail-malformed",
        Scope.MAIL,
        _E,
        "A message is damaged or not an email message (no headers, MIME that cannot be "
        "parsed, parts nested too deep); it was skipped",
        "Save the message again from the mail program, or save its attachment by hand.",
    )
    MAIL_TOO_LARGE = (
        "mail-too-large",
        Scope.MAIL,
        _W,
        "A message, an attachment or a file in a zip attachment is over the size bounds; it "
        "was not saved",
        "Check that it is an assessment workbook; save it by hand if it is.",
    )
    MAIL_TOO_COMPLEX = (
        "mail-too-complex",
        Scope.MAIL,
        _W,
        "A message has more attachments or MIME parts than the bounds; the rest was not read",
        "Save the remaining attachments by hand if one is a return.",
    )
    ATTACHMENT_UNREADABLE = (
        "attachment-unreadable",
        Scope.MAIL,
        _W,
        "A zip attachment is damaged or has a password; the spreadsheets in it were not saved",
        "Ask the partner to attach the workbook itself, not zipped.",
    )
    REPLY_WITHOUT_WORKBOOK = (
        "reply-without-workbook",
        Scope.MAIL,
        _W,
        "A partner (matched by the email address in the partner list) replied without "
        "attaching a workbook",
        "Read the reply; ask them to attach the workbook they were sent.",
    )


# --------------------------------------------------------------------------------------
# The README table

README_BEGIN = "<!-- codes:begin -->"
README_END = "<!-- codes:end -->"


def markdown() -> str:
    """The catalogue as the README shows it: a table per scope, in catalogue order."""
    out: list[str] = []
    for scope in Scope:
        out += [
            f"**{scope.capitalize()}**",
            "",
            "| code | severity | meaning | what to do |",
            "| --- | --- | --- | --- |",
        ]
        for code in Code:
            if code.scope is scope:
                severity = " or ".join(code.severities)
                out.append(
                    f"| `{code}` | {severity} | {_cell(code.meaning)} | {_cell(code.todo)} |"
                )
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def readme_section(readme: str) -> str:
    """The generated part of README text (between the markers); ValueError without them."""
    begin, end = readme.index(README_BEGIN), readme.index(README_END)
    return readme[begin + len(README_BEGIN) : end].strip("\n") + "\n"


def with_readme_section(readme: str) -> str:
    """README text with the generated part replaced by the current catalogue."""
    begin, end = readme.index(README_BEGIN), readme.index(README_END)
    return readme[: begin + len(README_BEGIN)] + "\n" + markdown() + readme[end:]


def main(argv: list[str]) -> int:
    if argv == ["--markdown"]:
        sys.stdout.write(markdown())
        return 0
    if argv[:1] == ["--write-readme"] and len(argv) <= 2:
        path = Path(argv[1] if len(argv) == 2 else "README.md")
        path.write_text(with_readme_section(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"{path}: problem codes table regenerated ({len(Code)} codes)")
        return 0
    print("usage: python -m xlsxkit.codes --markdown | --write-readme [README.md]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
