"""Sending one e-mail over SMTP (the daily digest): plain or STARTTLS or SSL, with or without login."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from kith.sync import AuthFailed, SyncError, Unreachable


def send(url: str, message: EmailMessage, *, user: str = "", password: str = "", timeout: float = 30.0) -> None:
    """Send ``message`` through the server ``url`` (smtp://host:port, smtp+starttls://, smtps://)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        raise SyncError(f"'{url}' is not an smtp://, smtp+starttls:// or smtps:// address")
    host = parts.hostname
    port = parts.port or {"smtp": 25, "smtps": 465, "smtp+starttls": 587}[parts.scheme]
    user = user or unquote(parts.username or "")
    try:
        if parts.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                   context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if parts.scheme == "smtp+starttls":
                server.starttls(context=ssl.create_default_context())
            if user:
                server.login(user, password)
            server.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise AuthFailed(f"{host}: the mail server refused the user name or password") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SyncError(f"{host}: the mail server refused the recipient ({', '.join(exc.recipients)})") from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = "no answer (timed out)" if isinstance(exc, socket.timeout) else (
            getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
        raise Unreachable(f"cannot send through {host}:{port} ({reason})") from None
