"""A gRPC client the project did not write: Debian's python3-grpcio.

Run with Debian's interpreter (/usr/bin/python3, which has python3-grpcio and
python3-grpc-tools). Compiles the standard reflection .proto and
grpc.health.v1 with grpc_tools.protoc into a temporary folder, then against
each target prints one JSON line:

  {"target": ..., "services": [...],
   "files": {service: {method: [input type, output type]}},
   "health": {"": "SERVING", ...}, "watch": ["SERVING"]}

usage: grpc_probe.py --reflection-proto DIR --health-proto DIR TARGET...
"""

import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile

import grpc
from grpc_tools import protoc
from google.protobuf import descriptor_pb2, descriptor_pool


def compile_proto(out, source, module):
    """Compile `source` as `<module>.proto` so the generated module does not
    shadow the installed `grpc` package (the proto's own package is kept)."""
    shutil.copyfile(source, os.path.join(out, f"{module}.proto"))
    args = ["protoc", f"-I{out}", f"--python_out={out}", f"--grpc_python_out={out}", f"{module}.proto"]
    if protoc.main(args) != 0:
        raise SystemExit(f"grpc_tools.protoc failed on {source}")
    return importlib.import_module(f"{module}_pb2"), importlib.import_module(f"{module}_pb2_grpc")


def probe(target, refl, refl_grpc, health, health_grpc):
    channel = grpc.insecure_channel(target)
    grpc.channel_ready_future(channel).result(timeout=30)
    stub = refl_grpc.ServerReflectionStub(channel)

    def ask(**kw):
        responses = stub.ServerReflectionInfo(iter([refl.ServerReflectionRequest(**kw)]), timeout=30)
        return next(iter(responses))

    listed = ask(list_services="")
    services = sorted(s.name for s in listed.list_services_response.service)
    # What grpcurl does: fetch each service's file (with its dependencies)
    # and build a descriptor pool, so every method's message types resolve.
    protos = {}
    for name in services:
        res = ask(file_containing_symbol=name)
        if res.HasField("error_response"):
            raise SystemExit(f"{target}: reflection error for {name}: {res.error_response.error_message}")
        for blob in res.file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto.FromString(blob)
            protos[fd.name] = fd
    pool = descriptor_pool.DescriptorPool()
    pending = dict(protos)
    while pending:
        added = [n for n, fd in pending.items() if all(d not in pending for d in fd.dependency)]
        if not added:
            raise SystemExit(f"{target}: reflection returned files with missing dependencies: {sorted(pending)}")
        for n in added:
            pool.Add(pending.pop(n))
    files = {}
    for name in services:
        svc = pool.FindServiceByName(name)
        files[name] = {m.name: [m.input_type.full_name, m.output_type.full_name] for m in svc.methods}

    hstub = health_grpc.HealthStub(channel)
    status_name = health.HealthCheckResponse.ServingStatus.Name
    checks = {}
    for name in ["", *services]:
        try:
            checks[name] = status_name(hstub.Check(health.HealthCheckRequest(service=name), timeout=30).status)
        except grpc.RpcError as err:
            checks[name] = err.code().name
    watch = hstub.Watch(health.HealthCheckRequest(service=""), timeout=30)
    first = status_name(next(iter(watch)).status)
    watch.cancel()
    channel.close()
    return {"target": target, "services": services, "files": files, "health": checks, "watch": [first]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reflection-proto", required=True, help="the standard grpc/reflection/v1alpha/reflection.proto")
    ap.add_argument("--health-proto", required=True, help="grpc/health/v1/health.proto")
    ap.add_argument("targets", nargs="+", help="host:port of each server")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as out:
        sys.path.insert(0, out)
        refl, refl_grpc = compile_proto(out, a.reflection_proto, "probe_reflection")
        health, health_grpc = compile_proto(out, a.health_proto, "probe_health")
        for target in a.targets:
            print(json.dumps(probe(target, refl, refl_grpc, health, health_grpc)), flush=True)


if __name__ == "__main__":
    main()
