"""Summary builders: TF1 wire format, tag rules, pixel conversion, PNG/WAV payloads."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
from PIL import Image

from tlboard.summaries.png import encode_png
from tlboard.summaries.protos import summary_pb2, types_pb2
from tlboard.summaries.summary_pb import audio_pb, image_pb, images_to_uint8, scalar_pb, text_pb


def test_scalar_uses_simple_value():
    summary = scalar_pb("loss", np.float64(0.25))
    assert isinstance(summary, summary_pb2.Summary)
    (value,) = summary.value
    assert value.tag == "loss" and value.WhichOneof("value") == "simple_value" and value.simple_value == 0.25
    assert scalar_pb("x", np.array([[3]])).value[0].simple_value == 3.0
    with pytest.raises(ValueError, match="single number"):
        scalar_pb("x", [1.0, 2.0])
    with pytest.raises(TypeError):
        scalar_pb("x", "1.0")


def test_float_images_nonnegative_scale_so_max_is_255():
    image = np.array([0.0, 0.5, 1.0, 2.0], dtype=np.float32).reshape(1, 2, 2, 1)
    # scale = 255 / 2 = 127.5; results truncate: 0, 63.75 -> 63, 127.5 -> 127, 255.
    assert images_to_uint8(image).ravel().tolist() == [0, 63, 127, 255]


def test_float_images_with_negatives_center_zero_at_128():
    image = np.array([-2.0, 0.0, 1.0, 2.0], dtype=np.float32).reshape(1, 2, 2, 1)
    # scale = 127 / max|v| = 63.5, offset 128: -2 -> 1, 0 -> 128, 1 -> 191.5 -> 191, 2 -> 255.
    assert images_to_uint8(image).ravel().tolist() == [1, 128, 191, 255]


def test_float_images_are_normalised_one_image_at_a_time():
    batch = np.stack([np.full((1, 2, 1), 0.5), np.array([[[1.0], [4.0]]])]).astype(np.float64)
    out = images_to_uint8(batch)
    assert out[0].ravel().tolist() == [255, 255]
    assert out[1].ravel().tolist() == [63, 255]


def test_nonfinite_pixels_become_red_and_are_ignored_for_the_range():
    image = np.zeros((1, 1, 3, 3), dtype=np.float32)
    image[0, 0, 0] = [0.0, 1.0, 2.0]
    image[0, 0, 1] = [np.nan, 0.0, 0.0]  # one bad channel poisons the pixel
    image[0, 0, 2] = [1000.0, np.inf, 0.0]  # would dominate the range if counted
    out = images_to_uint8(image)[0, 0]
    assert out.tolist() == [[0, 127, 255], [255, 0, 0], [255, 0, 0]]
    rgba = images_to_uint8(np.full((1, 1, 1, 4), np.nan))
    assert rgba.ravel().tolist() == [255, 0, 0, 255]


def test_near_zero_images_get_zero_scale_and_uint8_passes_through():
    assert images_to_uint8(np.full((1, 2, 2, 1), 1e-7)).ravel().tolist() == [0] * 4
    assert images_to_uint8(np.full((1, 2, 2, 1), -1e-7)).ravel().tolist() == [128] * 4
    pixels = np.arange(12, dtype=np.uint8).reshape(1, 2, 2, 3)
    assert images_to_uint8(pixels) is pixels
    with pytest.raises(ValueError, match="4-D"):
        images_to_uint8(np.zeros((2, 2, 3)))
    with pytest.raises(TypeError):
        images_to_uint8(np.zeros((1, 2, 2, 3), dtype=np.int32))


@pytest.mark.parametrize(
    ("batch", "max_outputs", "tags"),
    [
        (1, 1, ["img/image"]),
        (4, 1, ["img/image"]),
        (1, 3, ["img/image/0"]),
        (2, 3, ["img/image/0", "img/image/1"]),
        (5, 3, ["img/image/0", "img/image/1", "img/image/2"]),
    ],
)
def test_image_tags_depend_on_requested_outputs(batch, max_outputs, tags):
    images = np.zeros((batch, 2, 3, 3), dtype=np.uint8)
    assert [v.tag for v in image_pb("img", images, max_outputs).value] == tags


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_image_payload_is_a_png_of_the_pixels(channels):
    rng = np.random.default_rng(channels)
    pixels = rng.integers(0, 256, size=(2, 5, 7, channels), dtype=np.uint8)
    summary = image_pb("img", pixels, max_outputs=2)
    for i, value in enumerate(summary.value):
        image = value.image
        assert (image.height, image.width, image.colorspace) == (5, 7, channels)
        decoded = np.asarray(Image.open(io.BytesIO(image.encoded_image_string)))
        assert decoded.reshape(5, 7, channels).tolist() == pixels[i].tolist()
    with pytest.raises(ValueError, match="channels"):
        image_pb("img", np.zeros((1, 2, 2, 2), dtype=np.uint8))


def test_png_encoder_handles_smooth_and_gray_alpha_images():
    ramp = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (64, 1))
    data = encode_png(ramp)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), ramp)
    assert len(data) < ramp.size // 4  # the Up filter + zlib compress a smooth image well
    gray_alpha = np.random.default_rng(0).integers(0, 256, size=(3, 4, 2), dtype=np.uint8)
    decoded = Image.open(io.BytesIO(encode_png(gray_alpha)))
    assert decoded.mode == "LA" and np.array_equal(np.asarray(decoded), gray_alpha)


def test_text_is_a_string_tensor_for_the_text_plugin():
    (value,) = text_pb("notes", "hello *world* ü").value
    assert value.tag == "notes"
    assert value.metadata.plugin_data.plugin_name == "text"
    assert value.tensor.dtype == types_pb2.DT_STRING
    assert list(value.tensor.tensor_shape.dim) == []  # rank 0 for a single string
    assert value.tensor.string_val == ["hello *world* ü".encode()]
    table = text_pb("table", [["a", "b"], ["c", "d"]]).value[0].tensor
    assert [d.size for d in table.tensor_shape.dim] == [2, 2]
    assert table.string_val == [b"a", b"b", b"c", b"d"]
    with pytest.raises(TypeError):
        text_pb("bad", [1, 2])


def test_audio_is_16bit_wav():
    clip = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 2.0, 0.25], dtype=np.float32)
    stereo = np.stack([clip, -clip], axis=1)
    summary = audio_pb("snd", np.stack([stereo, stereo * 0]), sample_rate=8000, max_outputs=1)
    (value,) = summary.value
    assert value.tag == "snd/audio"
    audio = value.audio
    assert (audio.sample_rate, audio.num_channels, audio.length_frames) == (8000.0, 2, 7)
    assert audio.content_type == "audio/wav"
    with wave.open(io.BytesIO(audio.encoded_audio_string)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()) == (2, 2, 8000, 7)
        samples = np.frombuffer(wav.readframes(7), dtype="<i2").reshape(7, 2)
    # round(x * 32768) clamped to int16.
    assert samples[:, 0].tolist() == [0, 16384, -16384, 32767, -32768, 32767, 8192]
    assert samples[:, 1].tolist() == [0, -16384, 16384, -32768, 32767, -32768, -8192]
    assert [v.tag for v in audio_pb("m", np.zeros((2, 4)), 100).value] == ["m/audio/0", "m/audio/1"]
