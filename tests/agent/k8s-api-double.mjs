// A local HTTP double of the Kubernetes API subset the pipeline agent uses:
// Jobs (create, get, list, watch), Deployments (get, merge patch, simulated
// rollouts) and ConfigMaps (get, create, merge patch), with the API server's
// 404 / 409 / 410 / 415 / 422 semantics. Every request body is validated
// against the Kubernetes schemas (kubernetes-models). It is an ES module
// because kubernetes-models is one; the jest suite runs it as a process.
// Usage: node k8s-api-double.mjs  -> prints "listening <port>" on stdout.
import { createServer } from 'node:http';
import { ConfigMap } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Deployment } from 'kubernetes-models/apps/v1';

const MODELS = { Job, Deployment, ConfigMap };
const objects = new Map(); // `${kind}/${ns}/${name}` -> object
const events = []; // { rv, type, object } for Jobs
const watchers = new Set(); // { res, ns, selector }
const requests = [];
let rv = 1000;
let compactedBelow = 0;
let config = {
  jobDelayMs: 30,
  jobOutcomes: {}, // stage -> ["failed", "succeeded", ...] by attempt
  expireWatchAfterJobEvents: 0, // after this many Job events, compact history and 410 the open watches (once)
  rolloutDelayMs: 30,
  rolloutFailVersions: [],
};
let jobEventsSeen = 0;

const status = (code, reason, message) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  reason,
  message,
});

function send(res, code, body) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function validate(kind, obj) {
  try {
    new MODELS[kind](obj).validate();
    return null;
  } catch (err) {
    return `${kind} ${obj?.metadata?.name ?? '?'} is invalid: ${err.message}`;
  }
}

function matches(obj, selector) {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return obj.metadata?.labels?.[k] === v;
  });
}

function emitJob(type, job) {
  const e = { rv: Number(job.metadata.resourceVersion), type, object: structuredClone(job) };
  events.push(e);
  for (const w of watchers)
    if (matches(job, w.selector)) w.res.write(`${JSON.stringify({ type, object: e.object })}\n`);
  jobEventsSeen++;
  if (config.expireWatchAfterJobEvents && jobEventsSeen >= config.expireWatchAfterJobEvents) {
    config.expireWatchAfterJobEvents = 0;
    compactedBelow = rv + 1;
    for (const w of [...watchers]) {
      w.res.end(
        `${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version') })}\n`,
      );
      watchers.delete(w);
    }
  }
}

function mergePatch(target, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function store(kind, ns, obj) {
  obj.metadata.namespace = ns;
  obj.metadata.resourceVersion = String(++rv);
  objects.set(`${kind}/${ns}/${obj.metadata.name}`, obj);
  return obj;
}

function finishJob(key) {
  const job = objects.get(key);
  const stage = job.metadata.labels?.['thoughtspace.io/stage'];
  const attempt = Number(job.metadata.labels?.['thoughtspace.io/attempt'] ?? 1);
  const outcome = config.jobOutcomes[stage]?.[attempt - 1] ?? 'succeeded';
  job.status =
    outcome === 'succeeded'
      ? { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }
      : {
          failed: 1,
          conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }],
        };
  store('Job', job.metadata.namespace, job);
  emitJob('MODIFIED', job);
}

function startRollout(key) {
  const d = objects.get(key);
  const version = d.spec.template.metadata?.annotations?.['thoughtspace.io/model-version'];
  const replicas = d.spec.replicas ?? 1;
  d.status = {
    observedGeneration: d.metadata.generation,
    replicas,
    updatedReplicas: 0,
    availableReplicas: replicas,
  };
  setTimeout(() => {
    const cur = objects.get(key);
    if (config.rolloutFailVersions.includes(version)) {
      cur.status = {
        ...cur.status,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      };
    } else {
      cur.status = {
        observedGeneration: cur.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        availableReplicas: replicas,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
      };
    }
    cur.metadata.resourceVersion = String(++rv);
  }, config.rolloutDelayMs);
}

async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : undefined;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://double');
  const path = url.pathname;
  const query = Object.fromEntries(url.searchParams);
  let payload;
  try {
    payload = await body(req);
  } catch {
    return send(res, 400, status(400, 'BadRequest', 'body is not JSON'));
  }
  if (!path.startsWith('/_double/'))
    requests.push({
      method: req.method,
      path,
      query,
      contentType: req.headers['content-type'] ?? null,
      body: payload ?? null,
    });

  // Control endpoints for the test.
  if (path === '/_double/requests') return send(res, 200, requests);
  if (path === '/_double/config' && req.method === 'POST') {
    config = { ...config, ...payload };
    return send(res, 200, config);
  }
  if (path === '/_double/deployments' && req.method === 'POST') {
    const err = validate('Deployment', payload);
    if (err) return send(res, 422, status(422, 'Invalid', err));
    payload.metadata.generation = 1;
    const d = store('Deployment', payload.metadata.namespace ?? 'default', payload);
    d.status = {
      observedGeneration: 1,
      replicas: d.spec.replicas ?? 1,
      updatedReplicas: d.spec.replicas ?? 1,
      availableReplicas: d.spec.replicas ?? 1,
    };
    return send(res, 201, d);
  }
  if (path === '/_double/objects') return send(res, 200, Object.fromEntries(objects));

  let m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+))?$/.exec(path);
  if (m) {
    const [, ns, name] = m;
    if (req.method === 'POST' && !name) {
      const err = validate('Job', payload);
      if (err) return send(res, 422, status(422, 'Invalid', err));
      const key = `Job/${ns}/${payload.metadata.name}`;
      if (objects.has(key))
        return send(
          res,
          409,
          status(409, 'AlreadyExists', `jobs.batch "${payload.metadata.name}" already exists`),
        );
      const job = store('Job', ns, structuredClone(payload));
      emitJob('ADDED', job);
      setTimeout(() => finishJob(key), config.jobDelayMs);
      return send(res, 201, job);
    }
    if (req.method === 'GET' && name) {
      const job = objects.get(`Job/${ns}/${name}`);
      return job
        ? send(res, 200, job)
        : send(res, 404, status(404, 'NotFound', `jobs.batch "${name}" not found`));
    }
    if (req.method === 'GET' && query.watch === 'true') {
      const from = Number(query.resourceVersion || 0);
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      if (from && from < compactedBelow) {
        res.end(
          `${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from}`) })}\n`,
        );
        return;
      }
      const w = { res, ns, selector: query.labelSelector };
      for (const e of events)
        if (e.rv > from && matches(e.object, w.selector))
          res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
      watchers.add(w);
      req.on('close', () => watchers.delete(w));
      return;
    }
    if (req.method === 'GET') {
      const items = [...objects.entries()]
        .filter(([k, o]) => k.startsWith(`Job/${ns}/`) && matches(o, query.labelSelector))
        .map(([, o]) => o);
      return send(res, 200, {
        apiVersion: 'batch/v1',
        kind: 'JobList',
        metadata: { resourceVersion: String(rv) },
        items,
      });
    }
  }

  m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(path);
  if (m) {
    const key = `Deployment/${m[1]}/${m[2]}`;
    const d = objects.get(key);
    if (!d) return send(res, 404, status(404, 'NotFound', `deployments.apps "${m[2]}" not found`));
    if (req.method === 'GET') return send(res, 200, d);
    if (req.method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/merge-patch+json')
        return send(
          res,
          415,
          status(
            415,
            'UnsupportedMediaType',
            `unsupported patch type ${req.headers['content-type']}`,
          ),
        );
      const next = mergePatch(structuredClone(d), payload);
      const err = validate('Deployment', next);
      if (err) return send(res, 422, status(422, 'Invalid', err));
      if (JSON.stringify(next.spec) !== JSON.stringify(d.spec))
        next.metadata.generation = (d.metadata.generation ?? 1) + 1;
      store('Deployment', m[1], next);
      startRollout(key);
      return send(res, 200, next);
    }
  }

  m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/.exec(path);
  if (m) {
    const [, ns, name] = m;
    if (req.method === 'POST' && !name) {
      const err = validate('ConfigMap', payload);
      if (err) return send(res, 422, status(422, 'Invalid', err));
      if (objects.has(`ConfigMap/${ns}/${payload.metadata.name}`))
        return send(res, 409, status(409, 'AlreadyExists', 'configmap exists'));
      return send(res, 201, store('ConfigMap', ns, structuredClone(payload)));
    }
    const cm = name && objects.get(`ConfigMap/${ns}/${name}`);
    if (!cm) return send(res, 404, status(404, 'NotFound', `configmaps "${name}" not found`));
    if (req.method === 'GET') return send(res, 200, cm);
    if (req.method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/merge-patch+json')
        return send(res, 415, status(415, 'UnsupportedMediaType', 'unsupported patch type'));
      const next = mergePatch(structuredClone(cm), payload);
      const err = validate('ConfigMap', next);
      if (err) return send(res, 422, status(422, 'Invalid', err));
      return send(res, 200, store('ConfigMap', ns, next));
    }
  }
  send(res, 404, status(404, 'NotFound', `the double does not serve ${req.method} ${path}`));
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
