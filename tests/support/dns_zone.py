"""A DNS server on loopback that knows a few TXT records and answers NXDOMAIN for every other name.

Mail filters look up the DKIM key of a signed message; here it is the test's
key. Every other name (the DKIM allow-lists SpamAssassin asks) does not exist,
as for a domain that no list has heard of. dnspython reads and writes the
wire format.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


@contextmanager
def dns_zone(txt: dict[str, bytes]) -> Iterator[tuple[int, list[str]]]:
    """Serve ``txt`` (name -> record) on 127.0.0.1 over UDP; yields the port and the names asked."""
    records = {name.lower().rstrip(".") + ".": value for name, value in txt.items()}
    asked: list[str] = []
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                data, peer = server.recvfrom(4096)
                query = dns.message.from_wire(data)
            except (TimeoutError, dns.exception.DNSException):
                continue
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            question = query.question[0]
            name = question.name.to_text().lower()
            asked.append(f"{name} {dns.rdatatype.to_text(question.rdtype)}")
            if name in records and question.rdtype == dns.rdatatype.TXT:
                value = records[name].decode("ascii")
                # A TXT string holds at most 255 characters; a 2048-bit key needs two.
                strings = " ".join(f'"{value[i:i + 255]}"' for i in range(0, len(value), 255))
                response.answer.append(dns.rrset.from_text(question.name, 300, "IN", "TXT", strings))
            elif name not in records:
                response.set_rcode(dns.rcode.NXDOMAIN)
            server.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], asked
    finally:
        stop.set()
        thread.join()
        server.close()
