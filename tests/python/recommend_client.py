"""A client the project did not write: Debian's python3-grpcio calling the
gateway's health check and Recommend. Message classes are built at run time
from a FileDescriptorSet (`buf build -o <file>.binpb`), because Debian's
grpc-tools is too old to compile proto3 `optional` fields.

usage: /usr/bin/python3 recommend_client.py <descriptors.binpb> <host:port> <request.json>
prints one JSON object: {"health": ..., "recommend": {...}, "errors": {...}}
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory


def message_classes(path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file in fds.file:
        pool.Add(file)

    def cls(name):
        desc = pool.FindMessageTypeByName(name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(desc)
        return message_factory.MessageFactory(pool).GetPrototype(desc)

    return cls


def unary(channel, path, request, response_cls, timeout):
    call = channel.unary_unary(
        path,
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=response_cls.FromString,
    )
    return call(request, timeout=timeout)


def main():
    descriptors, address, request_file = sys.argv[1:4]
    cls = message_classes(descriptors)
    with open(request_file) as f:
        spec = json.load(f)
    out = {}
    with grpc.insecure_channel(address) as channel:
        health = unary(
            channel,
            "/grpc.health.v1.Health/Check",
            cls("grpc.health.v1.HealthCheckRequest")(service=""),
            cls("grpc.health.v1.HealthCheckResponse"),
            10,
        )
        out["health"] = cls("grpc.health.v1.HealthCheckResponse").DESCRIPTOR.enum_types_by_name[
            "ServingStatus"
        ].values_by_number[health.status].name
        request = json_format.ParseDict(spec["request"], cls("thoughtspace.v1.RecommendRequest")())
        response = unary(
            channel,
            "/thoughtspace.v1.Gateway/Recommend",
            request,
            cls("thoughtspace.v1.RecommendResponse"),
            30,
        )
        out["recommend"] = json_format.MessageToDict(response, preserving_proto_field_name=True)
        errors = {}
        for name, bad in spec.get("bad", {}).items():
            try:
                unary(
                    channel,
                    "/thoughtspace.v1.Gateway/Recommend",
                    json_format.ParseDict(bad, cls("thoughtspace.v1.RecommendRequest")()),
                    cls("thoughtspace.v1.RecommendResponse"),
                    30,
                )
                errors[name] = {"code": "OK"}
            except grpc.RpcError as e:
                errors[name] = {"code": e.code().name, "details": e.details()}
        out["errors"] = errors
    print(json.dumps(out))


if __name__ == "__main__":
    main()
