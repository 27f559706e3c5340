"""A tiny IMAP server on 127.0.0.1 that answers from a script: for tests of servers that
misbehave in ways a real Dovecot never would (a byte every few seconds, numbers past 64 bits,
folder names in broken modified UTF-7, random bytes).

``answer(tag, name, line)`` gives what to send for one command: bytes are sent, a float is a
pause of that many seconds, and ``None`` hangs up. ``canonical`` answers as a small, sane
server holding one message in INBOX; scripts start from it and change what they test.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterable

Answer = Callable[[bytes, str, bytes], Iterable[bytes | float | None]]

GREETING = b"* OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] scripted server ready\r\n"
MESSAGE = (
    b"From: Dana <dana@acme.example>\r\nTo: sam@jobs.example\r\n"
    b"Subject: Re: Interview feedback\r\nDate: Mon, 03 Mar 2025 10:00:00 +0000\r\n"
    b"Message-ID: <rep@acme.example>\r\nIn-Reply-To: <req@jobs.example>\r\n\r\n"
    b"Your SQL was strong; the case study lacked a recommendation.\r\n"
)
SENT = (
    b"From: Sam <sam@jobs.example>\r\nTo: Dana <dana@acme.example>\r\n"
    b"Subject: Interview feedback\r\nDate: Sat, 01 Mar 2025 10:00:00 +0000\r\n"
    b"Message-ID: <req@jobs.example>\r\n\r\n"
    b"How do I stack up against the other candidates, and what could I do better?\r\n"
)
_LITERAL = re.compile(rb"\{(\d+)(\+?)\}\r\n\Z")
_FOLDER = re.compile(rb'(?:STATUS|SELECT|EXAMINE) ("[^"]*"|\S+)', re.I)


def _folder(line: bytes) -> bytes:
    m = _FOLDER.search(line)
    return m.group(1).strip(b'"') if m else b"INBOX"


def canonical(tag: bytes, name: str, line: bytes) -> list[bytes | float | None]:
    """What a sane server holding one reply in INBOX and one request in Sent answers."""
    ok = tag + b" OK done\r\n"
    if name == "CAPABILITY":
        return [b"* CAPABILITY IMAP4rev1 IDLE LITERAL+\r\n", ok]
    if name == "LIST":
        return [
            b'* LIST (\\HasNoChildren) "/" INBOX\r\n',
            b'* LIST (\\HasNoChildren \\Sent) "/" Sent\r\n',
            ok,
        ]
    if name == "STATUS":
        folder = _folder(line)
        return [b"* STATUS " + folder + b" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 7)\r\n", ok]
    if name in ("SELECT", "EXAMINE"):
        return [
            b"* FLAGS (\\Seen)\r\n* 1 EXISTS\r\n* 0 RECENT\r\n",
            b"* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n",
            tag + b" OK [READ-ONLY] done\r\n",
        ]
    if name in ("SEARCH", "UID SEARCH"):
        return [b"* SEARCH 1\r\n", ok]
    if name in ("FETCH", "UID FETCH"):
        if b"BODY" in line.upper() and b"HEADER" not in line.upper():
            body = SENT if b"Sent" in line else MESSAGE
            return [
                b'* 1 FETCH (UID 1 INTERNALDATE "03-Mar-2025 10:00:00 +0000" BODY[]<0> {%d}\r\n'
                % len(body)
                + body
                + b")\r\n",
                ok,
            ]
        if b"HEADER" in line.upper():
            head = MESSAGE.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
            return [
                b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM)] {%d}\r\n" % len(head)
                + head
                + b")\r\n",
                ok,
            ]
        return [
            b'* 1 FETCH (UID 1 RFC822.SIZE 400 INTERNALDATE "03-Mar-2025 10:00:00 +0000")\r\n',
            ok,
        ]
    if name == "LOGOUT":
        return [b"* BYE bye\r\n", ok, None]
    return [ok]


class ScriptedImap:
    """Serves each connection on its own thread until closed; ``commands`` logs what came."""

    def __init__(self, answer: Answer = canonical, greeting: bytes = GREETING) -> None:
        self.answer = answer
        self.greeting = greeting
        self.commands: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> ScriptedImap:
        self._accepter.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._accepter.join(5)
        for t in self._threads:
            t.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _send(self, conn: socket.socket, chunks: Iterable[bytes | float | None]) -> bool:
        for chunk in chunks:
            if self._stop.is_set():
                return False
            if chunk is None:
                return False
            if isinstance(chunk, float):
                self._stop.wait(chunk)
                continue
            conn.sendall(chunk)
        return True

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        buf = b""
        try:
            if not self._send(conn, [self.greeting]):
                return
            while not self._stop.is_set():
                line, buf = self._read_command(conn, buf)
                if line is None:
                    return
                parts = line.rstrip(b"\r\n").split(b" ", 3)
                tag = parts[0]
                name = parts[1].decode("ascii", "replace").upper() if len(parts) > 1 else ""
                if name == "UID" and len(parts) > 2:
                    name = "UID " + parts[2].decode("ascii", "replace").upper()
                self.commands.append(name)
                if not self._send(conn, self.answer(tag, name, line)):
                    return
        except OSError:
            return
        finally:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _read_command(self, conn: socket.socket, buf: bytes) -> tuple[bytes | None, bytes]:
        line = b""
        while True:
            while b"\r\n" not in buf:
                data = self._recv(conn)
                if data is None:
                    return None, b""
                buf += data
            head, buf = buf.split(b"\r\n", 1)
            line += head + b"\r\n"
            m = _LITERAL.search(line)
            if not m:
                return line, buf
            size = int(m.group(1))
            if not m.group(2):
                conn.sendall(b"+ go on\r\n")
            while len(buf) < size:
                data = self._recv(conn)
                if data is None:
                    return None, b""
                buf += data
            line += buf[:size]
            buf = buf[size:]

    def _recv(self, conn: socket.socket) -> bytes | None:
        while not self._stop.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            return data or None
        return None


def drip(first: list[bytes | float | None], every: float) -> Iterable[bytes | float | None]:
    """The first chunks as given, then one byte every ``every`` seconds, for ever."""
    yield from first
    while True:
        yield b"*"
        yield every


def wait_for(check: Callable[[], object], timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")
