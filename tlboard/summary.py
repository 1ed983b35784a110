"""`tf.summary`: summary ops, `FileWriter`, and the Summary/Event protos for hand-built summaries."""
# ruff: noqa: F401
from tlboard.summaries.protos.event_pb2 import Event, LogMessage, SessionLog, TaggedRunMetadata
from tlboard.summaries.protos.summary_pb2 import HistogramProto, Summary, SummaryDescription, SummaryMetadata
from tlboard.summaries.summary_ops import audio, histogram, image, merge, merge_all, scalar, text
from tlboard.summaries.writer import FileWriter
