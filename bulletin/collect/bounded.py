"""One GET whose answer is bounded: in size, in time, in decompression, and to its own host.

A live source reads servers nobody here controls. Each try of a request
must end within its ``timeout`` in all (a server sending a byte a second
cannot stretch it the way a per-read timeout lets it), its body may hold at
most ``max_bytes`` once decompressed (a 1 MB gzip of 1 GiB stops at the
limit, decompressed piece by piece), and a redirect is followed only to the
same scheme, host and port: a 301 from the Data API to another host would
have that host's rows stored as OpenRouter's.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from bulletin.config import options as option
from bulletin.errors import CollectError

if TYPE_CHECKING:
    import httpx

MAX_BYTES = 64 * 1024 * 1024  # the default size limit of one answer (a Data API window is ~0.3 MB)
# The option of every live source that reads answers, so each says the same of it.
MAX_RESPONSE_BYTES = option.integer(
    "max_response_bytes", MAX_BYTES, "the most one answer may hold, decompressed (64 MiB)")
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)  # not 304: a conditional GET's "unchanged" is an answer
# What this reader can decompress within bounds; anything else is asked not to be sent.
ACCEPT_ENCODING = "gzip, deflate"


class Deadline(Exception):
    """The whole answer did not arrive within the try's time."""


async def fetch(client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str],
                timeout: float, max_bytes: int = MAX_BYTES) -> httpx.Response:
    """The answer to GET ``url``, its body read whole within the bounds (a plain Response)."""
    import asyncio

    try:
        async with asyncio.timeout(timeout):
            return await _follow(client, url, {**headers, "Accept-Encoding": ACCEPT_ENCODING},
                                 timeout, max_bytes)
    except TimeoutError:
        # Said as httpx's own timeout is: the caller cannot tell them apart, nor need to.
        raise Deadline(f"no answer within {timeout:g} s") from None


async def _follow(client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str],
                  timeout: float, max_bytes: int) -> httpx.Response:
    import httpx

    current = url
    for _ in range(MAX_REDIRECTS + 1):
        request = client.build_request("GET", current, headers=headers, timeout=timeout)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            if response.status_code in REDIRECTS and "location" in response.headers:
                target = current.join(response.headers["location"])
                if _origin(target) != _origin(url):
                    raise CollectError(f"{url}: HTTP {response.status_code} redirects to another "
                                       f"host ({_origin(target)}); not followed")
                current = target
                continue
            body = await _body(response, str(url), max_bytes)
        finally:
            await response.aclose()
        # The body is decoded already: the headers no longer describe an encoding.
        kept = [(k, v) for k, v in response.headers.multi_items()
                if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=kept, content=body, request=request)
    raise CollectError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.host}{f':{url.port}' if url.port else ''}"


async def _body(response: httpx.Response, shown: str, max_bytes: int) -> bytes:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        decoder = None
    elif encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    else:
        raise CollectError(f"{shown}: the answer is encoded as {encoding[:40]!r}, which was not "
                           "asked for")
    too_big = CollectError(f"{shown}: the answer is larger than {max_bytes:,} bytes "
                           "(the source's max_response_bytes)")
    declared = response.headers.get("content-length", "")
    if decoder is None and declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    parts: list[bytes] = []
    size = 0
    try:
        async for raw in response.aiter_raw():
            room = max_bytes - size
            if decoder is None:
                data = raw
            else:
                # At most room + 1 bytes out of this piece: one more than fits says it is too big.
                data = decoder.decompress(raw, room + 1)
                if decoder.unconsumed_tail:
                    raise too_big
            if len(data) > room:
                raise too_big
            parts.append(data)
            size += len(data)
        if decoder is not None:
            rest = decoder.flush()
            if len(rest) > max_bytes - size:
                raise too_big
            parts.append(rest)
    except zlib.error as exc:
        raise CollectError(f"{shown}: the {encoding} answer is damaged ({exc})") from None
    return b"".join(parts)
