"""TFRecord framing: byte-identical to TensorFlow's files, and careful about damage and truncation."""

from __future__ import annotations

import io
import struct

import crc32c
import pytest

from tlboard.summaries.records import (
    CorruptRecordError,
    RecordError,
    RecordWriter,
    TruncatedRecordError,
    encode_record,
    masked_crc32c,
    read_records,
    scan_records,
)

PAYLOADS = [b"first", b"", b"x" * 1000, bytes(range(256))]


def _framed(payloads):
    return b"".join(encode_record(p) for p in payloads)


def _offsets(payloads):
    offsets, pos = [], 0
    for p in payloads:
        offsets.append(pos)
        pos += 16 + len(p)
    return offsets, pos


def test_masked_crc_follows_the_published_formula():
    # CRC32C("123456789") = 0xE3069283 (the standard check value); mask = rotate right 15, add 0xa282ead8.
    assert crc32c.crc32c(b"123456789") == 0xE3069283
    rotated = ((0xE3069283 >> 15) | (0xE3069283 << 17)) & 0xFFFFFFFF
    assert masked_crc32c(b"123456789") == (rotated + 0xA282EAD8) & 0xFFFFFFFF


def test_framing_layout():
    record = encode_record(b"abc")
    assert len(record) == 8 + 4 + 3 + 4
    assert struct.unpack("<Q", record[:8]) == (3,)
    assert struct.unpack("<I", record[8:12]) == (masked_crc32c(record[:8]),)
    assert record[12:15] == b"abc"
    assert struct.unpack("<I", record[15:]) == (masked_crc32c(b"abc"),)


def test_reencoding_real_files_reproduces_their_bytes(testdata):
    files = sorted(p for p in (testdata / "logs").rglob("events.out.tfevents.*") if p.is_file())
    assert len(files) >= 10
    for path in files:
        raw = path.read_bytes()
        records, next_offset, errors = scan_records(raw)
        assert errors == [] and next_offset == len(raw)
        assert b"".join(encode_record(payload) for _, payload in records) == raw, path
        assert [payload for _, payload in records] == list(read_records(path))


def test_scan_reports_offsets_and_resumes_from_an_offset(tmp_path):
    buf = _framed(PAYLOADS)
    offsets, total = _offsets(PAYLOADS)
    records, next_offset, errors = scan_records(buf)
    assert records == list(zip(offsets, PAYLOADS))
    assert next_offset == total == len(buf) and errors == []
    records, next_offset, errors = scan_records(memoryview(buf), offset=offsets[2])
    assert records == list(zip(offsets[2:], PAYLOADS[2:]))
    assert next_offset == len(buf) and errors == []
    path = tmp_path / "events"
    path.write_bytes(buf)
    assert list(read_records(path, offsets[1])) == PAYLOADS[1:]


def test_truncated_tail_at_every_byte_position(tmp_path):
    complete = _framed(PAYLOADS[:2])
    last = encode_record(b"the last record")
    path = tmp_path / "events"
    for cut in range(1, len(last)):
        buf = complete + last[:cut]
        records, next_offset, errors = scan_records(buf)
        assert [p for _, p in records] == PAYLOADS[:2], cut
        assert next_offset == len(complete), cut
        assert len(errors) == 1 and type(errors[0]) is TruncatedRecordError, cut
        assert errors[0].offset == len(complete)
        # Once the rest arrives, resuming at next_offset yields exactly the last record.
        more, final_offset, more_errors = scan_records(complete + last, next_offset)
        assert more == [(len(complete), b"the last record")] and more_errors == []
        assert final_offset == len(complete) + len(last)
        path.write_bytes(buf)
        reader = read_records(path)
        assert [next(reader), next(reader)] == PAYLOADS[:2]
        with pytest.raises(TruncatedRecordError) as info:
            next(reader)
        assert info.value.offset == len(complete)


def test_data_crc_mismatch_skips_or_stops(tmp_path):
    buf = bytearray(_framed(PAYLOADS))
    offsets, _ = _offsets(PAYLOADS)
    buf[offsets[2] + 12 + 5] ^= 0x01  # flip one payload bit of record 2
    records, next_offset, errors = scan_records(bytes(buf))
    assert [p for _, p in records] == PAYLOADS[:2]
    assert next_offset == offsets[2]
    assert len(errors) == 1 and isinstance(errors[0], CorruptRecordError)
    assert errors[0].kind == "data_crc" and errors[0].offset == offsets[2]
    assert errors[0].resume_offset == offsets[3]

    records, next_offset, errors = scan_records(bytes(buf), skip_corrupt=True)
    assert [p for _, p in records] == [PAYLOADS[0], PAYLOADS[1], PAYLOADS[3]]
    assert next_offset == len(buf)
    assert [(e.kind, e.offset) for e in errors] == [("data_crc", offsets[2])]

    path = tmp_path / "events"
    path.write_bytes(bytes(buf))
    with pytest.raises(CorruptRecordError) as info:
        list(read_records(path))
    assert info.value.kind == "data_crc" and info.value.offset == offsets[2]


def test_length_crc_mismatch_stops_even_when_skipping(tmp_path):
    buf = bytearray(_framed(PAYLOADS))
    offsets, _ = _offsets(PAYLOADS)
    buf[offsets[1]] ^= 0x40  # corrupt the length of record 1
    for skip in (False, True):
        records, next_offset, errors = scan_records(bytes(buf), skip_corrupt=skip)
        assert [p for _, p in records] == PAYLOADS[:1]
        assert next_offset == offsets[1]
        assert [(type(e), e.kind, e.offset, e.resume_offset) for e in errors] == [
            (CorruptRecordError, "length_crc", offsets[1], None)
        ]
    path = tmp_path / "events"
    path.write_bytes(bytes(buf))
    with pytest.raises(CorruptRecordError, match="length CRC"):
        list(read_records(path))


def test_garbage_and_empty_input(tmp_path):
    garbage = bytes(range(7, 250)) * 3
    records, next_offset, errors = scan_records(garbage)
    assert records == [] and next_offset == 0
    assert len(errors) == 1 and errors[0].kind == "length_crc"
    assert isinstance(errors[0], RecordError)

    assert scan_records(b"") == ([], 0, [])
    assert scan_records(_framed(PAYLOADS), offset=len(_framed(PAYLOADS))) == ([], len(_framed(PAYLOADS)), [])
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert list(read_records(empty)) == []
    bad = tmp_path / "garbage"
    bad.write_bytes(garbage)
    with pytest.raises(CorruptRecordError):
        list(read_records(bad))


def test_record_writer_to_file_object_and_path(tmp_path):
    stream = io.BytesIO()
    writer = RecordWriter(stream)
    for p in PAYLOADS[:2]:
        writer.write(p)
    writer.write_many(PAYLOADS[2:])
    writer.flush()
    assert stream.getvalue() == _framed(PAYLOADS)
    writer.close()
    assert not stream.closed  # the caller owns the stream

    path = tmp_path / "records"
    with RecordWriter(path) as writer:
        writer.write(b"one")
    with RecordWriter(path) as writer:  # a path is opened for appending
        writer.write(b"two")
    assert list(read_records(path)) == [b"one", b"two"]
