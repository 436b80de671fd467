import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { UnavailableError } from '../errors';

/** The repository's proto/ folder (service-kit sits at packages/service-kit/{src,dist}). */
export const DEFAULT_PROTO_DIR = resolve(__dirname, '..', '..', '..', '..', 'proto');

const cache = new Map<string, PackageDefinition>();

function protoFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...protoFiles(dir, rel));
    else if (entry.name.endsWith('.proto')) out.push(rel);
  }
  return out.sort();
}

/** Every .proto under `protoDir` as one package definition (parsed once per process). */
export function loadProtoDefinitions(protoDir: string = DEFAULT_PROTO_DIR): PackageDefinition {
  const cached = cache.get(protoDir);
  if (cached) return cached;
  if (!existsSync(protoDir)) {
    throw new UnavailableError(
      `gRPC reflection needs the .proto sources, and ${protoDir} does not exist (set GRPC_REFLECTION=false to serve without reflection)`,
    );
  }
  const definition = loadSync(protoFiles(protoDir), { includeDirs: [protoDir] });
  cache.set(protoDir, definition);
  return definition;
}

/**
 * Fully-qualified names of the services added to `server`, from the method
 * paths grpc-js keeps (`/thoughtspace.v1.Scorer/ScoreCandidates`). grpc-js has
 * no public listing; undefined when its private map is not there.
 */
export function registeredServices(server: Server): string[] | undefined {
  const handlers = (server as unknown as { handlers?: unknown }).handlers;
  if (!(handlers instanceof Map)) return undefined;
  const names = new Set<string>();
  for (const path of handlers.keys()) {
    const m = /^\/([^/]+)\//.exec(String(path));
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

/**
 * Add grpc.reflection v1 and v1alpha to `server`, describing the services
 * already added to it (call after every addService, before binding).
 * Returns the names it exposes (undefined: every service under proto/).
 */
export function addReflection(server: Server, protoDir?: string): string[] | undefined {
  const definition = loadProtoDefinitions(protoDir);
  const services = registeredServices(server)?.filter((name) => name in definition);
  new ReflectionService(definition, services ? { services } : undefined).addToServer(server);
  return services;
}
