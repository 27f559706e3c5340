"""A small TCP proxy on 127.0.0.1 that injects network faults between a client and a server.

It forwards bytes both ways and can, on request, cut a connection once the server has sent a
given number of bytes after the client issued a command containing a trigger (``b"FETCH"``:
the connection dies in the middle of a FETCH response), rewrite what the server says or answer
the client itself (strip a capability, refuse STARTTLS, as a man in the middle would), and
record what the client sent (to check that a password never crossed the wire in the clear).
Only the first ``cuts`` connections are cut, so the retry that follows goes through.
"""

from __future__ import annotations

import selectors
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class FaultPlan:
    """What the proxy does to the connections it carries."""

    trigger: bytes | None = None  # client bytes that arm the cut (matched case-blind)
    cut_after: int = 0  # server bytes to let through after the trigger before cutting
    cuts: int = 0  # how many connections to cut; later ones pass untouched
    rewrite: Callable[[bytes], bytes] | None = None  # applied to server-to-client chunks
    # Answers a client chunk itself instead of forwarding it (None: forward), as a man in the
    # middle refusing STARTTLS would.
    answer: Callable[[bytes], bytes | None] | None = None


@dataclass
class ProxyLog:
    """What crossed the proxy, for the test's assertions."""

    connections: int = 0
    cut: int = 0
    client_bytes: bytearray = field(default_factory=bytearray)
    server_bytes: int = 0


class FaultProxy:
    """Listens on 127.0.0.1:<port> and forwards each connection to 127.0.0.1:<target>."""

    def __init__(self, target_port: int, plan: FaultPlan | None = None) -> None:
        self.target_port = target_port
        self.plan = plan or FaultPlan()
        self.log = ProxyLog()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name="faultproxy", daemon=True)

    def __enter__(self) -> FaultProxy:
        self._accepter.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._accepter.join(5)
        for t in self._threads:
            t.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.log.connections += 1
                cut_this = self.log.connections <= self.plan.cuts
            t = threading.Thread(target=self._pipe, args=(client, cut_this), daemon=True)
            self._threads.append(t)
            t.start()

    def _pipe(self, client: socket.socket, cut_this: bool) -> None:
        try:
            server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()
            return
        plan = self.plan
        armed = plan.trigger is None
        sent_since_trigger = 0
        seen = b""
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, "up")
        sel.register(server, selectors.EVENT_READ, "down")
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(0.2):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    if key.data == "up":
                        with self._lock:
                            self.log.client_bytes += data
                        reply = plan.answer(data) if plan.answer is not None else None
                        if reply is not None:
                            client.sendall(reply)
                            continue
                        if not armed and plan.trigger is not None:
                            # The trigger may straddle two reads; keep a short tail.
                            seen = (seen + data.upper())[-4096:]
                            armed = plan.trigger.upper() in seen
                        server.sendall(data)
                        continue
                    if cut_this and armed:
                        room = plan.cut_after - sent_since_trigger
                        if len(data) >= room:
                            if room > 0:
                                client.sendall(data[:room])
                            with self._lock:
                                self.log.cut += 1
                            return
                        sent_since_trigger += len(data)
                    if plan.rewrite is not None:
                        data = plan.rewrite(data)
                    with self._lock:
                        self.log.server_bytes += len(data)
                    client.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            _hang_up(client, server)


def _hang_up(*socks: socket.socket) -> None:
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the other side may have closed first
        s.close()
