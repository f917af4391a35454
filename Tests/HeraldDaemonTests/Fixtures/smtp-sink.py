#!/usr/bin/python3
"""An SMTP server on loopback for Herald's tests, built on aiosmtpd (Debian: python3-aiosmtpd).

Each accepted mail is written to FOLDER as N.eml (the bytes as received) and N.json (envelope,
AUTH login and the message as Python's email package decodes it: an independent reader of
Herald's MIME). Both appear by rename, so a reader never sees half a file. Creates FOLDER/ready
once listening; stops on SIGTERM.

  smtp-sink.py --port 2525 --folder /tmp/mail [--refuse "550 5.7.1 No thanks"] [--auth user:password]
               [--starttls CERT KEY]   (offers STARTTLS and requires it before MAIL)
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder, refuse):
        self.folder = folder
        self.refuse = refuse
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, str(self.count))
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "headers": {name: str(value) for name, value in message.items()},
            "text": body.get_content() if body is not None else None,
        }
        for suffix, data in ((".eml", raw), (".json", json.dumps(record).encode())):
            with open(base + suffix + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + suffix + ".tmp", base + suffix)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--refuse")
    parser.add_argument("--auth")
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()

    options = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password
            return AuthResult(success=ok, auth_data=auth_data)

        # Loopback test only: AUTH without TLS.
        options = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}

    if args.starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.starttls)
        options.update({"tls_context": context, "require_starttls": True})

    # A test runner may start us with SIGTERM blocked (posix_spawn keeps the signal mask).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    controller = Controller(Sink(args.folder, args.refuse), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    open(os.path.join(args.folder, "ready"), "w").close()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
