import { statusCodeOf, type KubeApi } from './types';

/**
 * The agent's progress as a ConfigMap (`status.json`): stages, attempts,
 * decision, rollout. `kubectl get configmap <name> -o jsonpath='{.data.status\.json}'`
 * shows where a run stands.
 */
export class StatusRecorder {
  private state: Record<string, unknown> = {};

  constructor(
    private readonly api: KubeApi | undefined,
    readonly name: string,
    private readonly namespace: string,
    private readonly labels: Record<string, string>,
  ) {}

  get current(): Record<string, unknown> {
    return this.state;
  }

  async update(part: Record<string, unknown>): Promise<void> {
    this.state = { ...this.state, ...part, updatedAt: new Date().toISOString() };
    if (!this.api) return;
    const data = { 'status.json': JSON.stringify(this.state, null, 2) };
    try {
      await this.api.patchConfigMap(this.name, { data });
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
      await this.api.createConfigMap({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: this.name, namespace: this.namespace, labels: this.labels },
        data,
      });
    }
  }
}
