"""The private descriptor pool that holds tlboard's copies of the TensorFlow/TensorBoard protos.

Our messages use TensorFlow's package and message names (for wire compatibility), so registering them in
protobuf's default pool would clash with TensorFlow's own modules when both are imported in one process.
"""

from google.protobuf import descriptor_pool, struct_pb2

POOL = descriptor_pool.DescriptorPool()

# hparams.proto imports google/protobuf/struct.proto; imports resolve inside this pool only.
POOL.AddSerializedFile(struct_pb2.DESCRIPTOR.serialized_pb)
