"""A client the project did not write: Debian's python3-grpcio calling the
evaluator's Compare (challenger vs champion on the same users). Message
classes come from a FileDescriptorSet (`buf build -o <file>.binpb`), as in
recommend_client.py.

usage: /usr/bin/python3 compare_client.py <descriptors.binpb> <host:port> <request.json>
request.json: {"request": <CompareRequest as proto JSON>, "bad": {name: <CompareRequest>}}
prints one JSON object: {"compare": {...}, "errors": {name: {"code", "details"}}}
"""
import json
import sys

import grpc
from google.protobuf import json_format

from recommend_client import message_classes, unary

METHOD = "/thoughtspace.v1.Evaluator/Compare"


def main():
    descriptors, address, request_file = sys.argv[1:4]
    cls = message_classes(descriptors)
    request_cls = cls("thoughtspace.v1.CompareRequest")
    response_cls = cls("thoughtspace.v1.CompareResponse")
    with open(request_file) as f:
        spec = json.load(f)
    out = {}
    with grpc.insecure_channel(address) as channel:
        response = unary(
            channel, METHOD, json_format.ParseDict(spec["request"], request_cls()), response_cls, 60
        )
        out["compare"] = json_format.MessageToDict(response, preserving_proto_field_name=True)
        errors = {}
        for name, bad in spec.get("bad", {}).items():
            try:
                unary(channel, METHOD, json_format.ParseDict(bad, request_cls()), response_cls, 60)
                errors[name] = {"code": "OK"}
            except grpc.RpcError as e:
                errors[name] = {"code": e.code().name, "details": e.details()}
        out["errors"] = errors
    print(json.dumps(out))


if __name__ == "__main__":
    main()
