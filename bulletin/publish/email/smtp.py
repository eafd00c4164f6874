"""Sending through an SMTP server: one connection, opened lazily and reused.

Apart from transport.py so that a run with no server set (the outbox) never
imports smtplib and ssl.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl

from bulletin.errors import PublishError
from bulletin.publish.email.settings import Smtp, SmtpSecurity
from bulletin.publish.email.transport import Attempt, Commit, Outcome

_LEADING_DOT = re.compile(rb"(?m)^\.")  # a line of the body that starts with "."


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


class SmtpTransport:
    """One SMTP connection, opened lazily and reused for many messages."""

    def __init__(self, smtp: Smtp, sender: str) -> None:
        self.settings = smtp
        self.sender = sender
        self.client: smtplib.SMTP | None = None
        self.credentials: tuple[str, str] | None = None
        if smtp.username_env and smtp.password_env:
            user, password = os.environ.get(smtp.username_env), os.environ.get(smtp.password_env)
            if not user or not password:
                raise PublishError(f"email: set the SMTP login in the environment variables "
                                   f"{smtp.username_env} and {smtp.password_env}")
            self.credentials = (user, password)

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        client: smtplib.SMTP | None = None
        try:
            if s.security == SmtpSecurity.TLS:
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            # The final "." is a small write right after the body: with Nagle's
            # algorithm it waits for the body's delayed ACK (40 ms) every message.
            if client.sock is not None:
                client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client.ehlo()
            if s.security == SmtpSecurity.STARTTLS:
                client.starttls(context=context)
                client.ehlo()
            if self.credentials:
                client.login(*self.credentials)
        except smtplib.SMTPAuthenticationError as exc:
            client.close() if client else None
            raise PublishError(f"email: {s.host} refused the login in {s.username_env}/"
                               f"{s.password_env}: {_reply(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError as exc:
            client.close() if client else None
            what = "STARTTLS (set security: tls for implicit TLS, or none)" if "STARTTLS" in str(exc) \
                else "a login (AUTH)"
            raise PublishError(f"email: {s.host} does not offer {what}") from None
        except ssl.SSLCertVerificationError as exc:
            client.close() if client else None
            raise PublishError(f"email: {s.host}: TLS certificate not trusted: {exc.verify_message}") \
                from None
        except BaseException:
            client.close() if client else None
            raise
        return client

    def connect(self) -> str:
        """Open the connection unless one is open: "" when there is one, else why there is none.

        A refused login or TLS raises PublishError, as in ``send``.
        """
        if self.client is None:
            try:
                self.client = self._open()
            except (smtplib.SMTPException, OSError) as exc:
                return f"connection: {exc or type(exc).__name__}"
        return ""

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None

    def _drop(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def send(self, recipient: str, message: bytes, commit: Commit, sender: str = "") -> Outcome:
        """One message; ``sender``: its envelope sender, if not the transport's (VERP, verp.py)."""
        try:
            if self.client is None:
                self.client = self._open()
            client = self.client
            envelope = f"MAIL FROM:<{sender or self.sender}>\r\nRCPT TO:<{recipient}>\r\n"
            if client.does_esmtp and client.has_extn("pipelining"):
                # RFC 2920: the envelope and DATA in one write, then the three replies.
                client.send(f"{envelope}DATA\r\n")
                replies: list[tuple[int, bytes]] = []
                while len(replies) < 3 and (not replies or replies[-1][0] != 421):
                    replies.append(client.getreply())  # after a 421 the server hangs up
            else:
                replies = []
                for line in (*envelope.splitlines(), "DATA"):
                    client.send(f"{line}\r\n")
                    replies.append(client.getreply())
                    if replies[-1][0] >= 400:
                        break
            refused = next(((c, r) for c, r in replies[:2] if c not in (250, 251)), None)
            if refused is not None or replies[-1][0] != 354:
                if len(replies) == 3 and replies[2][0] == 354 and refused is not None:
                    client.send(b".\r\n")  # a server that took DATA without recipients: end it
                    client.getreply()
                return self._refused(*(refused or replies[-1]))
            body = message
            if body.startswith(b".") or b"\n." in body:  # (a cheap search first: rare)
                body = _LEADING_DOT.sub(b"..", body)  # dot-stuffing, RFC 5321 section 4.5.2
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            client.send(body)
        except smtplib.SMTPResponseException as exc:
            self._drop()
            return Outcome(Attempt.RETRY if exc.smtp_code < 500 else Attempt.FAILED,
                           _reply(exc.smtp_code, exc.smtp_error))
        except (smtplib.SMTPException, OSError) as exc:
            # Nothing was accepted yet: the server drops a transaction without its ".".
            self._drop()
            return Outcome(Attempt.RETRY, f"connection: {exc or type(exc).__name__}")
        if not commit():
            self._drop()
            return Outcome(Attempt.SKIPPED, "no longer subscribed")
        try:
            client.send(b".\r\n")
            code, reply = client.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            # The "." went out; whether the server kept the message is unknown.
            self._drop()
            return Outcome(Attempt.UNCERTAIN, f"connection lost after the message was sent: {exc}")
        if code == 250:
            return Outcome(Attempt.SENT, _reply(code, reply))
        return Outcome(Attempt.RETRY if code < 500 else Attempt.FAILED, _reply(code, reply))

    def _refused(self, code: int, reply: bytes) -> Outcome:
        try:
            self.client.rset() if self.client else None  # type: ignore[func-returns-value]
        except (smtplib.SMTPException, OSError):
            self._drop()
        if code == 421:
            self._drop()  # 421 means the server is closing this connection
        return Outcome(Attempt.RETRY if code < 500 else Attempt.FAILED, _reply(code, reply))
