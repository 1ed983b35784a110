"""Our protobuf schemas: regenerated output is checked in, wire-compatible with TensorBoard's copies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import descriptor_pool

from tlboard.summaries.protos import (
    attr_value_pb2,
    event_pb2,
    graph_pb2,
    hparams_pb2,
    node_def_pb2,
    resource_handle_pb2,
    summary_pb2,
    tensor_pb2,
    tensor_shape_pb2,
    types_pb2,
    versions_pb2,
)
from tlboard.summaries.records import scan_records

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTO_DIR = REPO_ROOT / "summaries" / "protos"
OUR_MODULES = [
    attr_value_pb2, event_pb2, graph_pb2, hparams_pb2, node_def_pb2, resource_handle_pb2,
    summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2, versions_pb2,
]
# Fields TensorFlow has that we deliberately leave out (they survive as unknown fields).
OMITTED = {
    "GraphDef": {"library", "debug_info"},
    "NodeDef": {"experimental_debug_info", "experimental_type"},
}


def test_checked_in_modules_equal_fresh_generator_output(tmp_path):
    pytest.importorskip("grpc_tools", reason="grpcio-tools (a test dependency) is needed to run protoc")
    # In a subprocess: protoc's embedded libprotobuf must not meet TensorFlow's, which other tests may have
    # loaded into this process (through tensorboard) — the two crash together.
    out = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "gen_protos.py"), "--out", str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout
    written = [Path(line) for line in out.split()]
    assert {p.name for p in written} == {p.name for p in PROTO_DIR.glob("*_pb2.py")}
    assert {p.name for p in written} == {p.stem + "_pb2.py" for p in PROTO_DIR.glob("*.proto")}
    for fresh in written:
        assert fresh.read_bytes() == (PROTO_DIR / fresh.name).read_bytes(), f"{fresh.name} is stale"


def test_messages_stay_out_of_the_default_pool_and_need_no_tensorflow():
    code = (
        "import sys\n"
        "from google.protobuf import descriptor_pool\n"
        "from tlboard.summaries.protos import event_pb2, graph_pb2, hparams_pb2\n"
        "try:\n"
        "    descriptor_pool.Default().FindMessageTypeByName('tensorflow.Event')\n"
        "    print('LEAKED')\n"
        "except KeyError:\n"
        "    print('PRIVATE')\n"
        "print('tensorflow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["PRIVATE", "False"]
    assert event_pb2.Event.DESCRIPTOR.full_name == "tensorflow.Event"
    # (Not re-checked in this process: other tests may have imported TensorFlow, which owns that name.)


def _all_messages(descriptor):
    yield descriptor
    for nested in descriptor.nested_types:
        yield from _all_messages(nested)


def _their_name(full_name: str) -> str:
    return full_name.replace("tensorflow.", "tensorboard.", 1)


def _field_facts(descriptor):
    return {
        f.name: (f.number, f.type, f.is_repeated, f.containing_oneof.name if f.containing_oneof else None)
        for f in descriptor.fields
    }


def test_field_numbers_and_types_match_tensorboards_copies():
    # TensorBoard ships TensorFlow's protos renamed to package "tensorboard": an independent source of facts.
    import tensorboard.compat.proto.event_pb2  # noqa: F401
    import tensorboard.compat.proto.graph_pb2  # noqa: F401
    import tensorboard.compat.proto.summary_pb2  # noqa: F401
    import tensorboard.plugins.hparams.plugin_data_pb2  # noqa: F401

    theirs_pool = descriptor_pool.Default()
    checked = 0
    for module in OUR_MODULES:
        for top in module.DESCRIPTOR.message_types_by_name.values():
            for ours in _all_messages(top):
                if ours.GetOptions().map_entry:
                    continue
                theirs = theirs_pool.FindMessageTypeByName(_their_name(ours.full_name))
                ours_facts, theirs_facts = _field_facts(ours), _field_facts(theirs)
                shared = {k: v for k, v in theirs_facts.items() if k in ours_facts}
                assert ours_facts == shared, ours.full_name
                assert set(theirs_facts) - set(ours_facts) == OMITTED.get(ours.name, set()), ours.full_name
                for enum in ours.enum_types:
                    their_enum = theirs.enum_types_by_name[enum.name]
                    assert {v.name: v.number for v in enum.values} == {
                        v.name: v.number for v in their_enum.values
                    }
                checked += 1
        for enum in module.DESCRIPTOR.enum_types_by_name.values():
            their_enum = theirs_pool.FindEnumTypeByName(_their_name(enum.full_name))
            ours_values = {v.name: v.number for v in enum.values}
            theirs_values = {v.name: v.number for v in their_enum.values}
            # TensorFlow keeps adding element types; every one we define must agree.
            assert ours_values == {k: v for k, v in theirs_values.items() if k in ours_values}
            assert "DT_FLOAT_REF" not in theirs_values or ours_values["DT_FLOAT_REF"] == 101
    assert checked >= 30


def test_event_round_trips_through_tensorboards_parser():
    from tensorboard.compat.proto import event_pb2 as tb_event_pb2

    event = event_pb2.Event(wall_time=12.5, step=7)
    value = event.summary.value.add(tag="loss", simple_value=0.25)
    value.metadata.plugin_data.plugin_name = "scalars"
    histo = event.summary.value.add(tag="w").histo
    histo.min, histo.max, histo.num = -1.0, 2.0, 3.0
    histo.bucket_limit.extend([0.0, 2.0])
    histo.bucket.extend([1.0, 2.0])
    image = event.summary.value.add(tag="img").image
    image.height, image.width, image.colorspace, image.encoded_image_string = 2, 3, 3, b"png"
    tensor = event.summary.value.add(tag="txt").tensor
    tensor.dtype = types_pb2.DT_STRING
    tensor.string_val.append("hé".encode())
    theirs = tb_event_pb2.Event.FromString(event.SerializeToString())
    assert theirs.wall_time == 12.5 and theirs.step == 7
    assert theirs.summary.value[0].simple_value == 0.25
    assert theirs.summary.value[0].metadata.plugin_data.plugin_name == "scalars"
    assert list(theirs.summary.value[1].histo.bucket_limit) == [0.0, 2.0]
    assert list(theirs.summary.value[1].histo.bucket) == [1.0, 2.0]
    assert theirs.summary.value[2].image.width == 3
    assert theirs.summary.value[3].tensor.string_val == ["hé".encode()]
    assert theirs.summary.value[3].tensor.dtype == 7

    log = tb_event_pb2.Event(step=3)
    log.session_log.status = tb_event_pb2.SessionLog.START
    ours = event_pb2.Event.FromString(log.SerializeToString())
    assert ours.WhichOneof("what") == "session_log"
    assert ours.session_log.status == event_pb2.SessionLog.START == 1


def test_every_shared_event_parses_and_reserializes_byte_identically(testdata):
    from tensorboard.compat.proto import graph_pb2 as tb_graph_pb2

    files = sorted(p for p in (testdata / "logs").rglob("events.out.tfevents.*") if p.is_file())
    assert files
    kinds = set()
    for path in files:
        records, _, errors = scan_records(path.read_bytes())
        assert not errors, path
        for _, payload in records:
            event = event_pb2.Event.FromString(payload)
            kinds.add(event.WhichOneof("what"))
            assert event.SerializeToString() == payload, path
            if event.WhichOneof("what") == "graph_def":
                # GraphDef fields we do not model (library, debug_info) must survive a round trip.
                # (Map entries may be re-serialized in another order, so compare parsed messages.)
                graph = graph_pb2.GraphDef.FromString(event.graph_def)
                assert graph.node
                reference = tb_graph_pb2.GraphDef.FromString(event.graph_def)
                assert tb_graph_pb2.GraphDef.FromString(graph.SerializeToString()) == reference
    assert {"file_version", "summary", "graph_def", "session_log", "tagged_run_metadata"} <= kinds


def test_hparams_plugin_data_is_readable_by_tensorboard():
    from tensorboard.plugins.hparams import plugin_data_pb2

    data = hparams_pb2.HParamsPluginData(version=0)
    data.session_start_info.hparams["lr"].number_value = 0.5
    data.session_start_info.hparams["opt"].string_value = "adam"
    data.session_start_info.group_name = "g"
    theirs = plugin_data_pb2.HParamsPluginData.FromString(data.SerializeToString())
    assert theirs.session_start_info.hparams["lr"].number_value == 0.5
    assert theirs.session_start_info.hparams["opt"].string_value == "adam"
    assert theirs.session_start_info.group_name == "g"
