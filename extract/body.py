"""Reading a response body within a byte cap, decompressing it ourselves.

httpx's own gzip decoder inflates each network chunk in one go, so one 64 KB
chunk of a gzip bomb becomes ~64 MB in memory before any cap could look at
it. We read the raw (still compressed) bytes and inflate them in slices of
at most `SLICE` bytes, checking the cap after every slice: memory stays at
cap + one slice whatever the compression ratio.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

SLICE = 64 * 1024


class BodyTooLarge(Exception):
    """The body (after decompression when `decompressed`) passed the cap."""

    def __init__(self, cap: int, *, decompressed: bool) -> None:
        self.cap = cap
        self.decompressed = decompressed
        super().__init__(cap)


class UnsupportedEncoding(Exception):
    """A Content-Encoding we did not ask for and cannot decode."""


class BrokenEncoding(Exception):
    """The compressed stream is corrupt or ends early: the body is incomplete."""


class _Inflater:
    """gzip or deflate, output released in bounded slices."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._gzip = encoding in ("gzip", "x-gzip")
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)
        self._first = True

    def feed(self, data: bytes):
        """Yield decompressed slices of `data`, each at most SLICE bytes."""
        while True:
            try:
                out = self._obj.decompress(data, SLICE)
            except zlib.error as exc:
                if self._first and not self._gzip:
                    # "deflate" is often sent as raw deflate without the zlib header.
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._first = False
                    continue
                raise BrokenEncoding(f"corrupt {self.encoding} stream ({exc})") from None
            self._first = False
            if out:
                yield out
            if self._obj.eof and self._gzip and self._obj.unused_data.startswith(b"\x1f\x8b"):
                # A further gzip member (concatenated gzip is legal). Other trailing bytes
                # (NUL padding from some servers) are ignored, as browsers do.
                data = self._obj.unused_data
                self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                continue
            data = self._obj.unconsumed_tail
            if not data and len(out) < SLICE:
                return

    def finish(self) -> None:
        if not self._obj.eof:
            raise BrokenEncoding(f"{self.encoding} stream ends early")


def _encodings(content_encoding: str | None) -> list[str]:
    """Codings in the order they must be undone (the header lists them in the order applied)."""
    names = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
    names = [e for e in names if e != "identity"]
    for name in names:
        if name not in ("gzip", "x-gzip", "deflate"):
            raise UnsupportedEncoding(f"unsupported content-encoding {name}")
    return list(reversed(names))


async def read_capped(
    raw_chunks: AsyncIterator[bytes],
    content_encoding: str | None,
    cap: int,
    counter: list[int],
) -> bytes:
    """The decoded body, or BodyTooLarge as soon as raw or decoded bytes pass `cap`.

    `counter[0]` is kept at the number of raw bytes received, so a caller that
    sees the transfer break mid-body can say how far it got.
    """
    inflaters = [_Inflater(e) for e in _encodings(content_encoding)]
    body = bytearray()
    async for chunk in raw_chunks:
        counter[0] += len(chunk)
        if counter[0] > cap:
            raise BodyTooLarge(cap, decompressed=False)
        for piece in _decode(chunk, inflaters):
            body += piece
            if len(body) > cap:
                raise BodyTooLarge(cap, decompressed=bool(inflaters))
    for inflater in inflaters:
        inflater.finish()
    return bytes(body)


def _decode(chunk: bytes, inflaters: list[_Inflater]):
    if not inflaters:
        yield chunk
        return
    first, rest = inflaters[0], inflaters[1:]
    for piece in first.feed(chunk):
        yield from _decode(piece, rest)
