import { Server, makeGenericClientConstructor } from '@grpc/grpc-js';
import { isWrapped } from '@opentelemetry/instrumentation';

/** Whether the grpc-js this process serves with was patched: its server spans come from the instrumentation. */
export function serverInstrumented(): boolean {
  return isWrapped(Server.prototype.register);
}

/** Whether generated clients are patched: client spans and trace context come from the instrumentation. */
export function clientInstrumented(): boolean {
  return isWrapped(makeGenericClientConstructor);
}
