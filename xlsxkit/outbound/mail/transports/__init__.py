"""The transports: interchangeable ways for a composed message to go out.

Each implements :class:`~xlsxkit.outbound.mail.transports.base.Transport`, so the run
(:mod:`xlsxkit.outbound.mail.dispatch`) never knows which it drives:

- :class:`DraftsTransport`: ``.eml`` drafts in a folder (the default: nothing leaves the
  machine);
- :class:`SmtpTransport`: sent directly through an SMTP server (STARTTLS or implicit TLS).
"""

from xlsxkit.outbound.mail.transports.base import (
    Delivered,
    Delivery,
    Transport,
    TransportError,
)
from xlsxkit.outbound.mail.transports.drafts import DraftsTransport
from xlsxkit.outbound.mail.transports.smtp import (
    IMPLICIT_TLS_PORT,
    STARTTLS_PORT,
    SmtpSettings,
    SmtpTransport,
    TlsMode,
    default_tls,
)

__all__ = [
    "IMPLICIT_TLS_PORT",
    "STARTTLS_PORT",
    "Delivered",
    "Delivery",
    "DraftsTransport",
    "SmtpSettings",
    "SmtpTransport",
    "TlsMode",
    "Transport",
    "TransportError",
    "default_tls",
]
