import type { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node' with {
  'resolution-mode': 'import',
};
import type { ConfigMap, Deployment, Job, KubeApi, WatchEvent } from './types';

/** A KubeApi over @kubernetes/client-node for one namespace: in-cluster, KUBECONFIG or ~/.kube/config. */
export async function createKubeApi(o: {
  namespace: string;
  kubeconfig?: string;
}): Promise<KubeApi> {
  // @kubernetes/client-node 1.x is an ES module: this CommonJS package loads it with import().
  const k8s = await import('@kubernetes/client-node');
  const kc: KubeConfig = new k8s.KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromDefault();
  const batch: BatchV1Api = kc.makeApiClient(k8s.BatchV1Api);
  const apps: AppsV1Api = kc.makeApiClient(k8s.AppsV1Api);
  const core: CoreV1Api = kc.makeApiClient(k8s.CoreV1Api);
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const namespace = o.namespace;
  const wrap = async <T>(p: Promise<unknown>): Promise<T> => {
    try {
      return (await p) as T;
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (typeof code === 'number') (err as { statusCode?: number }).statusCode = code;
      throw err;
    }
  };
  return {
    createJob: (job) => wrap<Job>(batch.createNamespacedJob({ namespace, body: job as never })),
    async listJobs(labelSelector) {
      const list = await wrap<{ items: Job[]; metadata?: { resourceVersion?: string } }>(
        batch.listNamespacedJob({ namespace, labelSelector }),
      );
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    async watchJobs(labelSelector, resourceVersion, onEvent, done) {
      const controller = await new k8s.Watch(kc).watch(
        `/apis/batch/v1/namespaces/${namespace}/jobs`,
        { labelSelector, resourceVersion, allowWatchBookmarks: true },
        (type, object) => onEvent({ type, object } as WatchEvent<Job>),
        done,
      );
      return { stop: () => controller.abort() };
    },
    getDeployment: (name) => wrap<Deployment>(apps.readNamespacedDeployment({ name, namespace })),
    patchDeployment: (name, patch) =>
      wrap<Deployment>(apps.patchNamespacedDeployment({ name, namespace, body: patch }, merge)),
    async getConfigMap(name) {
      try {
        return await wrap<ConfigMap>(core.readNamespacedConfigMap({ name, namespace }));
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    },
    createConfigMap: (cm) =>
      wrap<ConfigMap>(core.createNamespacedConfigMap({ namespace, body: cm as never })),
    patchConfigMap: (name, patch) =>
      wrap<ConfigMap>(core.patchNamespacedConfigMap({ name, namespace, body: patch }, merge)),
  };
}
