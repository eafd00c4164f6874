"""A real SMTP server (aiosmtpd) that keeps every message it accepts as a file.

Run as a separate process so it outlives a sender killed mid-send:

    python smtp_recorder.py FOLDER [--tempfail N] [--drop-at N] [--reject ADDRESS]

It prints its port on the first line of stdout. Each accepted message is
written to FOLDER (written and renamed before the 250 reply, so what the
folder holds is exactly what the server accepted).

Failure modes, for tests of the sender:
  --tempfail N     answer the first N RCPT commands with 451 (then 421 on the
                   next connection's first RCPT), as a greylisting server would
  --drop-at N      close the connection without a reply on the Nth RCPT
  --reject ADDR    answer 550 for that recipient
  --delay SECONDS  wait this long before answering each message's DATA (a slow relay)

Security, for tests of the client's TLS and login:
  --cert PEM --key PEM   offer STARTTLS with this certificate (and require it)
  --implicit-tls         speak TLS from the first byte instead (like port 465)
  --login USER:PASSWORD  require AUTH with these credentials
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


class Recorder:
    def __init__(self, folder: Path, tempfail: int, drop_at: int, reject: set[str],
                 delay: float = 0.0) -> None:
        self.folder = folder
        self.delay = delay
        self.tempfail = tempfail
        self.drop_at = drop_at
        self.reject = reject
        self.rcpts = 0
        self.count = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        self.rcpts += 1
        if self.rcpts == self.drop_at:
            server.transport.close()
            return "421 closing"  # never seen: the connection is gone
        if self.rcpts <= self.tempfail:
            return "451 4.7.1 greylisted, try again later"
        if self.rcpts == self.tempfail + 1 and self.tempfail:
            return "421 4.3.2 too busy, closing"
        if address.lower() in self.reject:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        self.count += 1
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".incoming")
        with os.fdopen(handle, "wb") as stream:
            stream.write(f"X-Envelope-From: {envelope.mail_from}\r\n".encode())
            stream.write(f"X-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n".encode())
            stream.write(envelope.original_content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, self.folder / f"{os.getpid()}-{self.count:06d}.eml")
        return "250 2.0.0 OK queued"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--tempfail", type=int, default=0)
    parser.add_argument("--drop-at", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--login")
    args = parser.parse_args()
    import ssl

    from aiosmtpd.smtp import SMTP, AuthResult

    args.folder.mkdir(parents=True, exist_ok=True)
    handler = Recorder(args.folder, args.tempfail, args.drop_at, {a.lower() for a in args.reject},
                       args.delay)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        context = None
        if args.cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(args.cert, args.key)

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                         data: Any) -> AuthResult:
            given = f"{data.login.decode()}:{data.password.decode()}"
            return AuthResult(success=given == args.login, handled=False)

        options: dict[str, Any] = {"hostname": "recorder.test"}
        if context and not args.implicit_tls:
            options.update(tls_context=context, require_starttls=True)
        if args.login:
            options.update(authenticator=authenticate, auth_required=True,
                           auth_require_tls=bool(context) and not args.implicit_tls)
        server = await loop.create_server(lambda: SMTP(handler, **options), "127.0.0.1", 0,
                                          ssl=context if args.implicit_tls else None)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
