"""WAV encoding of float audio as 16-bit PCM, the format TensorFlow's audio summaries store."""

from __future__ import annotations

import struct

import numpy as np


def float_to_pcm16(samples: np.ndarray) -> np.ndarray:
    """Convert float samples in [-1, 1] to int16: round(x * 32768), clamped to the int16 range."""
    scaled = np.rint(np.asarray(samples, dtype=np.float32) * np.float32(32768.0))
    return np.clip(scaled, -32768, 32767).astype("<i2")


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """Encode a [frames, channels] (or [frames]) float array as a 16-bit PCM WAV file."""
    samples = np.asarray(samples)
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.ndim != 2:
        raise ValueError(f"audio must be [frames] or [frames, channels], got shape {samples.shape}")
    if not np.isfinite(samples).all():
        raise ValueError("audio samples must be finite")
    frames, channels = samples.shape
    data = float_to_pcm16(samples).tobytes()
    block_align = 2 * channels
    fmt = struct.pack("<HHIIHH", 1, channels, int(sample_rate), int(sample_rate) * block_align, block_align, 16)
    return b"".join(
        (
            b"RIFF",
            struct.pack("<I", 4 + (8 + len(fmt)) + (8 + len(data))),
            b"WAVE",
            b"fmt ",
            struct.pack("<I", len(fmt)),
            fmt,
            b"data",
            struct.pack("<I", len(data)),
            data,
        )
    )
