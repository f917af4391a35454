#!/usr/bin/python3
"""An SMTP server on loopback for Herald's tests, built on aiosmtpd (Debian: python3-aiosmtpd).

Each accepted mail is written to FOLDER as N.eml (the bytes as received) and N.json (envelope,
AUTH login and the message as Python's email package decodes it: an independent reader of
Herald's MIME). Both appear by rename, so a reader never sees half a file.

It binds 127.0.0.1:PORT itself (0: a port the system picks, so no test has to guess a free one)
and writes the port it got to FOLDER/port. With --closed it stays bound without listening, so
connections are refused as if the server were down, until SIGUSR1. Once listening it writes the
port to FOLDER/ready. Stops on SIGTERM.

  smtp-sink.py --port 0 --folder /tmp/mail [--closed] [--refuse "550 5.7.1 No thanks"]
               [--auth user:password] [--starttls CERT KEY]   (offers STARTTLS and requires it before MAIL)
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


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


def write_atomically(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


async def serve(args, options):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    opened = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, opened.set)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    write_atomically(os.path.join(args.folder, "port"), str(port))
    if args.closed:
        # Bound but not listening: the kernel refuses connections and the port stays ours.
        await asyncio.wait([asyncio.ensure_future(opened.wait()), asyncio.ensure_future(stop.wait())],
                           return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            sock.close()
            return
    sink = Sink(args.folder, args.refuse)
    # A fixed hostname: the default looks up the machine's FQDN, which can stall without DNS.
    server = await loop.create_server(lambda: SMTP(sink, hostname="smtp-sink.test", loop=loop, **options), sock=sock)
    write_atomically(os.path.join(args.folder, "ready"), str(port))
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--closed", action="store_true")
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

    # A test runner may start us with signals blocked (posix_spawn keeps the signal mask).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGUSR1})
    asyncio.run(serve(args, options))


if __name__ == "__main__":
    sys.exit(main())
