"""Sending one message over SMTP (RFC 5321) with the standard library's smtplib: implicit TLS
(``ssl``, port 465) or STARTTLS (587), AUTH when the account has a user name and the server
offers it (a server without AUTH, such as a relay on the machine, decides without it).

What a failure means for a retry:

- before the message's data were sent (connection, TLS, AUTH, MAIL FROM, RCPT TO): nothing left,
  a plain error, safe to retry (temporary for 4xx and network errors, permanent for 5xx refusals;
  a refused password asks to reconnect);
- after DATA was sent and before the server's answer (a dropped connection, a timeout): the server
  may have accepted it: :class:`~ambassade.connectors.http.OutcomeUnknown`, which the outbox
  reconciles before any new attempt;
- the server's answer to DATA: 250 sent, 4xx temporary, 5xx permanent.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Callable, Sequence
from email.message import EmailMessage

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.email.account import EmailAccount
from ambassade.connectors.email.guard import PinnedSMTP, PinnedSMTPSSL, Resolver, checked_address
from ambassade.connectors.http import OutcomeUnknown

__all__ = ["SmtpSession", "send", "wire"]


def wire(message: EmailMessage) -> bytes:
    """The message as SMTP carries it: CRLF line ends (RFC 5321 2.3.8). smtplib converts the line
    ends of text but sends bytes as they are, and ``as_bytes()`` ends lines with LF alone: a server
    then reads the whole message as one line, refused past 1,000 characters."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _detail(error: BaseException, account: EmailAccount) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        detail = f"{error.smtp_code} {text}"
    else:
        detail = str(error) or type(error).__name__
    for secret in (account.password, account.smtp_password):
        if secret:
            detail = detail.replace(secret, "[redacted]")
    return " ".join(detail.split())[:300]


def _refused(
    error: smtplib.SMTPResponseException, account: EmailAccount, what: str
) -> ConnectorError:
    detail = _detail(error, account)
    if 400 <= error.smtp_code < 500:
        return ConnectorError(
            f"The SMTP server asks to try again later ({what}): {detail}",
            permanent=False,
            code="email.smtp_later",
            params={"detail": detail},
        )
    return ConnectorError(
        f"The SMTP server refused {what}: {detail}",
        permanent=True,
        code="email.smtp_refused",
        params={"detail": detail},
    )


def send(
    account: EmailAccount,
    message: EmailMessage,
    recipients: Sequence[str],
    *,
    allow_private: bool,
    timeout: float,
    context: ssl.SSLContext,
    resolver: Resolver | None = None,
) -> None:
    address = checked_address(
        account.smtp_host, account.smtp_port, allow_private=allow_private, resolver=resolver
    )
    data_sent = False
    server: smtplib.SMTP | None = None
    try:
        if account.smtp_security == "ssl":
            server = PinnedSMTPSSL(
                account.smtp_host, account.smtp_port, address, timeout, context, account.domain
            )
        else:
            server = PinnedSMTP(
                account.smtp_host, account.smtp_port, address, timeout, account.domain
            )
        server.ehlo()
        if account.smtp_security == "starttls":
            server.starttls(context=context)
            server.ehlo()
        user = account.smtp_username or account.username
        # A server that offers no AUTH (a relay on the machine, say) decides without it.
        if user and server.has_extn("auth"):
            try:
                server.login(user, account.smtp_password or account.password)
            except smtplib.SMTPAuthenticationError as error:
                detail = _detail(error, account)
                raise AuthExpired(
                    f"The SMTP server refused the user name or password: {detail}",
                    code="email.login_refused",
                    params={"server": "SMTP", "detail": detail},
                ) from None
        code, reply = server.mail(account.address)
        if code != 250:
            raise _refused(
                smtplib.SMTPSenderRefused(code, reply, account.address), account, "the sender"
            )
        accepted = 0
        last_code = 550
        refusals: list[str] = []
        for recipient in recipients:
            code, reply = server.rcpt(recipient)
            if code in (250, 251):
                accepted += 1
            else:
                refusals.append(f"{recipient}: {code} {reply.decode(errors='replace')}")
                last_code = code
        if not accepted:
            detail = "; ".join(refusals)[:300]
            raise ConnectorError(
                f"The SMTP server refused the recipient: {detail}",
                permanent=not 400 <= last_code < 500,
                code="email.recipient_refused",
                params={"detail": detail},
            )
        data_sent = True
        # SMTPDataError when DATA itself is refused; the answer to the message is returned.
        code, reply = server.data(wire(message))
        if code != 250:
            data_sent = False  # answered: nothing is unknown
            raise smtplib.SMTPDataError(code, reply)
    except smtplib.SMTPDataError as error:
        raise _refused(error, account, "the message") from None
    except smtplib.SMTPNotSupportedError as error:
        raise ConnectorError(
            f"The SMTP server {account.smtp_host} does not offer what is needed: {error}",
            permanent=True,
            code="email.smtp_unsupported",
            params={"detail": str(error)[:200]},
        ) from None
    except ssl.SSLCertVerificationError as error:
        detail = _detail(error, account)
        raise ConnectorError(
            f"The SMTP server {account.smtp_host} has a certificate that cannot be trusted: "
            f"{detail}",
            permanent=True,
            code="email.certificate",
            params={"server": "SMTP", "host": account.smtp_host, "detail": detail},
        ) from None
    except smtplib.SMTPResponseException as error:
        raise _refused(error, account, "the connection") from None
    except (OSError, smtplib.SMTPException) as error:
        detail = _detail(error, account)
        if data_sent:
            raise OutcomeUnknown(
                f"The SMTP server {account.smtp_host} did not confirm the message: {detail}. It "
                "may have been sent; check before retrying.",
                permanent=False,
                code="email.maybe_sent",
                params={"host": account.smtp_host, "detail": detail},
            ) from None
        raise ConnectorError(
            f"Could not talk to the SMTP server {account.smtp_host}: {detail}",
            permanent=False,
            code="email.cannot_connect",
            params={"server": "SMTP", "host": account.smtp_host, "detail": detail},
        ) from None
    finally:
        if server is not None:
            try:
                server.quit()
            except (TimeoutError, OSError, smtplib.SMTPException):
                server.close()


class SmtpSession:
    """One SMTP connection that sends many messages, one transaction each (campaigns): opened on
    the first :meth:`send`, kept while the server answers, closed and opened again after a failure
    that may have left it in an unknown state. Each message fails on its own, classified as
    :func:`send` does; ``sender`` is the envelope's MAIL FROM (where bounces go)."""

    def __init__(
        self,
        account: EmailAccount,
        *,
        allow_private: bool,
        timeout: float,
        context: ssl.SSLContext,
        resolver: Resolver | None = None,
    ) -> None:
        self.account = account
        self.allow_private = allow_private
        self.timeout = timeout
        self.context = context
        self.resolver = resolver
        self.server: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            try:
                server.quit()
            except (TimeoutError, OSError, smtplib.SMTPException):
                server.close()

    def _drop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.close()

    def _open(self) -> smtplib.SMTP:
        account = self.account
        address = checked_address(
            account.smtp_host,
            account.smtp_port,
            allow_private=self.allow_private,
            resolver=self.resolver,
        )
        server: smtplib.SMTP
        if account.smtp_security == "ssl":
            server = PinnedSMTPSSL(
                account.smtp_host,
                account.smtp_port,
                address,
                self.timeout,
                self.context,
                account.domain,
            )
        else:
            server = PinnedSMTP(
                account.smtp_host, account.smtp_port, address, self.timeout, account.domain
            )
        try:
            server.ehlo()
            if account.smtp_security == "starttls":
                server.starttls(context=self.context)
                server.ehlo()
            user = account.smtp_username or account.username
            if user and server.has_extn("auth"):
                try:
                    server.login(user, account.smtp_password or account.password)
                except smtplib.SMTPAuthenticationError as error:
                    detail = _detail(error, account)
                    raise AuthExpired(
                        f"The SMTP server refused the user name or password: {detail}",
                        code="email.login_refused",
                        params={"server": "SMTP", "detail": detail},
                    ) from None
        except BaseException:
            server.close()
            raise
        return server

    def send(
        self,
        message: EmailMessage,
        recipient: str,
        *,
        sender: str = "",
        signer: Callable[[bytes], bytes] | None = None,
    ) -> None:
        """Send ``message`` to ``recipient``. Raises :class:`ConnectorError` (nothing sent; its
        ``permanent`` says whether trying again may help), :class:`AuthExpired`, or
        :class:`OutcomeUnknown` (DATA was sent and no answer came: it may have gone).
        ``signer`` gets the message's bytes as sent and returns header lines to put before them
        (a DKIM signature), so what is signed is exactly what goes out."""
        account = self.account
        data = wire(message)
        if signer is not None:
            data = signer(data) + data
        data_sent = False
        try:
            if self.server is None:
                self.server = self._open()
            server = self.server
            code, reply = server.mail(sender or account.address)
            if code != 250:
                server.rset()
                raise _refused(
                    smtplib.SMTPSenderRefused(code, reply, account.address), account, "the sender"
                )
            code, reply = server.rcpt(recipient)
            if code not in (250, 251):
                server.rset()
                detail = f"{recipient}: {code} {reply.decode(errors='replace')}"[:300]
                raise ConnectorError(
                    f"The SMTP server refused the recipient: {detail}",
                    permanent=not 400 <= code < 500,
                    code="email.recipient_refused",
                    params={"detail": detail},
                )
            data_sent = True
            code, reply = server.data(data)
            if code != 250:
                data_sent = False
                raise smtplib.SMTPDataError(code, reply)
        except smtplib.SMTPDataError as error:
            raise _refused(error, account, "the message") from None
        except ssl.SSLCertVerificationError as error:
            self._drop()
            detail = _detail(error, account)
            raise ConnectorError(
                f"The SMTP server {account.smtp_host} has a certificate that cannot be trusted: "
                f"{detail}",
                permanent=True,
                code="email.certificate",
                params={"server": "SMTP", "host": account.smtp_host, "detail": detail},
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            self._drop()
            raise ConnectorError(
                f"The SMTP server {account.smtp_host} does not offer what is needed: {error}",
                permanent=True,
                code="email.smtp_unsupported",
                params={"detail": str(error)[:200]},
            ) from None
        except smtplib.SMTPResponseException as error:
            self._drop()
            raise _refused(error, account, "the connection") from None
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            detail = _detail(error, account)
            if data_sent:
                raise OutcomeUnknown(
                    f"The SMTP server {account.smtp_host} did not confirm the message: {detail}. "
                    "It may have been sent; check before retrying.",
                    permanent=False,
                    code="email.maybe_sent",
                    params={"host": account.smtp_host, "detail": detail},
                ) from None
            raise ConnectorError(
                f"Could not talk to the SMTP server {account.smtp_host}: {detail}",
                permanent=False,
                code="email.cannot_connect",
                params={"server": "SMTP", "host": account.smtp_host, "detail": detail},
            ) from None
