"""Email out: each partner's workbook (or reminder, or feedback) as a message, through one of
interchangeable transports, never twice.

- :mod:`~xlsxkit.outbound.mail.templates`: the email templates and their placeholders;
- :mod:`~xlsxkit.outbound.mail.compose`: one message (text, an HTML alternative, the files);
- :mod:`~xlsxkit.outbound.mail.transports`: drafts (``.eml`` files) or SMTP;
- :mod:`~xlsxkit.outbound.mail.ledger`: what was sent, and what that means for the next run;
- :mod:`~xlsxkit.outbound.mail.dispatch`: the run itself.

What to send to whom (a campaign's round, reminders, feedback) is decided above, in
:mod:`xlsxkit.app.send`; this package knows nothing of campaigns.
"""
