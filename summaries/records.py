"""TFRecord framing: the length-prefixed, CRC32C-checked record format of TensorBoard event files.

Each record is laid out as
    uint64 length (little-endian) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

import crc32c as _crc32c

HEADER_SIZE = 12  # 8-byte length + 4-byte length CRC
FOOTER_SIZE = 4  # data CRC
_MASK_DELTA = 0xA282EAD8

_crc = _crc32c.crc32c
_pack_u64 = struct.Struct("<Q").pack
_pack_u32 = struct.Struct("<I").pack
_unpack_u64_from = struct.Struct("<Q").unpack_from
_unpack_u32_from = struct.Struct("<I").unpack_from
_unpack_header_from = struct.Struct("<QI").unpack_from  # length, masked CRC of the length

# Masked CRC of each 8-byte length field seen: event files repeat a few record sizes endlessly.
_length_crc_cache: dict[int, int] = {}
_LENGTH_CRC_CACHE_SIZE = 4096


def masked_crc32c(data: bytes | memoryview) -> int:
    """Return the CRC32C of data, rotated and offset as the TFRecord format stores it."""
    crc = _crc(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """Frame one payload as a complete TFRecord."""
    length = _pack_u64(len(data))
    return b"".join((length, _pack_u32(masked_crc32c(length)), data, _pack_u32(masked_crc32c(data))))


class RecordError(Exception):
    """A record that cannot be read; offset is the byte offset where the damaged record starts."""

    def __init__(self, offset: int, message: str):
        super().__init__(f"{message} (record at byte offset {offset})")
        self.offset = offset


class CorruptRecordError(RecordError):
    """A record whose length CRC ("length_crc") or data CRC ("data_crc") does not match.

    resume_offset is where reading can safely continue past the bad record (only known for "data_crc",
    whose length field was verified); None when the framing itself cannot be trusted.
    """

    def __init__(self, offset: int, kind: str, resume_offset: int | None = None):
        what = "length" if kind == "length_crc" else "data"
        super().__init__(offset, f"corrupt TFRecord: {what} CRC mismatch")
        self.kind = kind
        self.resume_offset = resume_offset


class TruncatedRecordError(RecordError):
    """An incomplete record at the end of the data (a writer may still be appending to it)."""

    def __init__(self, offset: int, available: int, needed: int | None = None):
        detail = f"{available} of {needed} bytes present" if needed is not None else f"{available} bytes"
        super().__init__(offset, f"truncated TFRecord: {detail}")
        self.available = available
        self.needed = needed


def scan_records(
    buf: bytes | memoryview, offset: int = 0, skip_corrupt: bool = False
) -> tuple[list[tuple[int, bytes]], int, list[RecordError]]:
    """Parse the complete records in buf[offset:]; return (records, next_offset, errors). Never raises."""
    # Hot loop (a million records a second matters): everything bound locally, one header unpack per
    # record, length CRCs memoised per length value, and payloads sliced straight out of bytes input.
    src = buf if type(buf) is bytes else memoryview(buf).cast("B")
    copy_out = type(src) is not bytes  # memoryview slices must become bytes
    end_of_buf = len(src)
    records: list[tuple[int, bytes]] = []
    append = records.append
    errors: list[RecordError] = []
    unpack_header = _unpack_header_from
    unpack_u32 = _unpack_u32_from
    crc = _crc
    length_crcs = _length_crc_cache
    mask_delta = _MASK_DELTA
    pos = offset
    while pos < end_of_buf:
        if end_of_buf - pos < HEADER_SIZE:
            errors.append(TruncatedRecordError(pos, end_of_buf - pos, None))
            break
        length, length_crc = unpack_header(src, pos)
        expected = length_crcs.get(length)
        if expected is None:
            expected = masked_crc32c(src[pos : pos + 8])
            if len(length_crcs) < _LENGTH_CRC_CACHE_SIZE:
                length_crcs[length] = expected
        if expected != length_crc:
            # The length cannot be trusted, so neither can anything after it.
            errors.append(CorruptRecordError(pos, "length_crc", None))
            break
        data_start = pos + HEADER_SIZE
        data_end = data_start + length
        record_end = data_end + FOOTER_SIZE
        if record_end > end_of_buf:
            errors.append(TruncatedRecordError(pos, end_of_buf - pos, record_end - pos))
            break
        data = src[data_start:data_end]
        c = crc(data)
        if (((c >> 15) | (c << 17)) + mask_delta) & 0xFFFFFFFF != unpack_u32(src, data_end)[0]:
            errors.append(CorruptRecordError(pos, "data_crc", record_end))
            if not skip_corrupt:
                break
            pos = record_end
            continue
        append((pos, data.tobytes() if copy_out else data))
        pos = record_end
    return records, pos, errors


def read_records(path: str | os.PathLike, offset: int = 0) -> Iterator[bytes]:
    """Yield the payloads of the records in a file from offset on; raise RecordError subclasses on damage."""
    with open(path, "rb") as f:
        f.seek(offset)
        pos = offset
        while True:
            header = f.read(HEADER_SIZE)
            if not header:
                return
            if len(header) < HEADER_SIZE:
                raise TruncatedRecordError(pos, len(header), None)
            if masked_crc32c(header[:8]) != _unpack_u32_from(header, 8)[0]:
                raise CorruptRecordError(pos, "length_crc", None)
            length = _unpack_u64_from(header, 0)[0]
            body = f.read(length + FOOTER_SIZE)
            record_end = pos + HEADER_SIZE + length + FOOTER_SIZE
            if len(body) < length + FOOTER_SIZE:
                raise TruncatedRecordError(pos, HEADER_SIZE + len(body), record_end - pos)
            data = body[:length]
            if masked_crc32c(data) != _unpack_u32_from(body, length)[0]:
                raise CorruptRecordError(pos, "data_crc", record_end)
            yield data
            pos = record_end


class RecordWriter:
    """Writes framed records to a binary file object (or a path, opened for appending)."""

    def __init__(self, file: BinaryIO | str | os.PathLike):
        if isinstance(file, (str, os.PathLike)):
            self._file: BinaryIO = open(file, "ab")
            self._owns_file = True
        else:
            self._file = file
            self._owns_file = False
        self.closed = False

    def write(self, data: bytes) -> None:
        """Append one record."""
        self._file.write(encode_record(data))

    def write_many(self, payloads: list[bytes]) -> None:
        """Append several records with a single write call."""
        self._file.write(b"".join(map(encode_record, payloads)))

    def flush(self) -> None:
        """Push buffered bytes to the operating system."""
        self._file.flush()

    def close(self) -> None:
        """Flush, and close the file if this writer opened it."""
        if self.closed:
            return
        self.closed = True
        self._file.flush()
        if self._owns_file:
            self._file.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
