/**
 * CI checks of the Helm chart (k8s/helm/dentalgemma): helm lint --strict, helm template with the
 * default and production values (and the other switches), every rendered object validated against
 * the Kubernetes API schemas, and the deployment policies of issue 8.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR, k8sTools, renderChart, run, validateObjects, type K8sObject, type K8sTools } from './k8s-tools';

const PROD = join(CHART_DIR, 'values-production.yaml');
const DEV = join(CHART_DIR, '..', '..', 'overlays', 'dev', 'values.yaml');

interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: Record<string, unknown>;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  command?: string[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; effect?: string }[];
  terminationGracePeriodSeconds?: number;
  runtimeClassName?: string;
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; emptyDir?: unknown }[];
}

function podSpec(o: K8sObject): PodSpec | undefined {
  if (o.kind === 'Deployment' || o.kind === 'Job') return (o['spec'] as { template: { spec: PodSpec } }).template.spec;
  return undefined;
}
/** The first path segment of every /v1 route an app's controllers declare, as /v1/<segment>. */
function v1Prefixes(app: string): string[] {
  const out = new Set<string>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.controller.ts') ? [join(dir, e.name)] : [],
    );
  for (const file of walk(join(__dirname, '..', '..', '..', 'apps', app, 'src'))) {
    const src = readFileSync(file, 'utf8');
    const base = /@Controller\('v1(?:\/([^/']+))?/.exec(src);
    if (!base) continue;
    if (base[1]) out.add(`/v1/${base[1]}`);
    else for (const m of src.matchAll(/@(?:Get|Post|Put|Patch|Delete)\('([^/':]+)/g)) out.add(`/v1/${m[1]}`);
  }
  return [...out];
}

const find = (objs: K8sObject[], kind: string, nameSuffix: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name.endsWith(nameSuffix));

let tools: K8sTools;
const renders: Record<string, K8sObject[]> = {};

beforeAll(async () => {
  tools = await k8sTools();
  renders['default'] = renderChart(tools);
  renders['production'] = renderChart(tools, { valuesFiles: [PROD] });
  renders['dev'] = renderChart(tools, { valuesFiles: [DEV], namespace: 'dentalgemma-dev' });
  renders['switches'] = renderChart(tools, {
    set: {
      'worker.model.source': 's3',
      'worker.model.s3.bucket': 'models',
      'worker.autoscaling.trigger.type': 'metrics-api',
      'worker.autoscaling.trigger.metricsApi.url': 'http://dentalgemma-case-api.dentalgemma.svc:3000/scale/backlog',
      'worker.gpu.runtimeClassName': 'nvidia',
      's3.existingSecret': 'dentalgemma-s3',
      'serviceMonitor.enabled': 'true',
      'caseApi.autoscaling.enabled': 'false',
      'worker.concurrency': '4',
      'worker.extraEnv[0].name': 'GRAPH_OPTIMIZATION_LEVEL',
      'worker.extraEnv[0].value': 'extended',
    },
  });
  renders['minimal'] = renderChart(tools, {
    set: {
      'networkPolicy.enabled': 'false',
      'migrations.enabled': 'false',
      'worker.autoscaling.enabled': 'false',
      'serviceAccount.create': 'false',
    },
  });
}, 60_000);

describe('helm', () => {
  it.each([
    ['default', []],
    ['production', ['--values', PROD]],
    ['dev', ['--values', DEV]],
  ])('lint --strict passes with the %s values', (_name, args) => {
    expect(run(tools.helm, ['lint', '--strict', CHART_DIR, ...args])).toMatch(/0 chart\(s\) failed/);
  });

  it('values.schema.json refuses bad values', () => {
    const bad: Record<string, string> = {
      'image.tag': 'latest',
      'worker.model.source': 'http',
      'worker.gpu.count': '0',
      's3.endpoint': 'http://key:secret@minio:9000',
      'database.password': 'hunter2',
      'worker.autoscaling.minReplicas': '-1',
    };
    for (const [key, value] of Object.entries(bad)) {
      expect(() => run(tools.helm, ['template', 'dg', CHART_DIR, '--set', `${key}=${value}`])).toThrow(
        /values don't meet the specifications|schema|additional properties|not allowed/i,
      );
    }
  });

  it('refuses a grace period that does not cover the worker drain', () => {
    expect(() =>
      run(tools.helm, [
        'template',
        'dg',
        CHART_DIR,
        '--set',
        'worker.drainSeconds=600',
        '--set',
        'worker.terminationGracePeriodSeconds=330',
      ]),
    ).toThrow(/must exceed worker.drainSeconds/);
  });

  it('the install notes warn when nothing would feed the Prometheus trigger (workers would stay at 0)', () => {
    const notes = (...args: string[]) =>
      run(tools.helm, ['install', 'dg', CHART_DIR, '--dry-run=client', ...args]).split('NOTES:')[1]!;
    expect(notes()).toMatch(/WARNING: KEDA scales the workers on a Prometheus query, but serviceMonitor/);
    expect(notes('-f', PROD)).not.toContain('WARNING');
    expect(
      notes(
        '--set',
        'worker.autoscaling.trigger.type=metrics-api',
        '--set',
        'worker.autoscaling.trigger.metricsApi.url=http://x/scale/backlog',
      ),
    ).not.toContain('WARNING');
  });

  it('the metrics-api trigger needs its url', () => {
    expect(() =>
      run(tools.helm, ['template', 'dg', CHART_DIR, '--set', 'worker.autoscaling.trigger.type=metrics-api']),
    ).toThrow(/metricsApi.url is required/);
  });
});

describe('rendered objects', () => {
  it.each(['default', 'production', 'dev', 'switches', 'minimal'])(
    'the %s render is valid against the Kubernetes API schemas',
    (name) => {
      expect(renders[name]!.length).toBeGreaterThan(5);
      expect(validateObjects(renders[name]!)).toEqual([]);
    },
  );

  it('the validator does reject an invalid object and an unknown kind', () => {
    const deployment = structuredClone(find(renders['default']!, 'Deployment', '-case-api')!);
    (podSpec(deployment)!.containers[0] as unknown as { ports: unknown }).ports = [{ containerPort: 'http' }];
    const problems = validateObjects([
      deployment,
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
    ]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/containerPort/);
    expect(problems[1]).toMatch(/no schema/);
  });

  it('renders a Deployment and Service per app, HPAs for the APIs, PDBs, KEDA and the hook', () => {
    const objs = renders['default']!;
    for (const app of ['case-api', 'ingestion', 'inference-worker']) {
      expect(find(objs, 'Deployment', `-${app}`)).toBeDefined();
      expect(find(objs, 'Service', `-${app}`)).toBeDefined();
      expect(find(objs, 'PodDisruptionBudget', `-${app}`)).toBeDefined();
      expect(find(objs, 'NetworkPolicy', `-${app}`)).toBeDefined();
    }
    expect(
      objs
        .filter((o) => o.kind === 'HorizontalPodAutoscaler')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['dentalgemma-case-api', 'dentalgemma-ingestion']);
    const job = find(objs, 'Job', '-migrations')!;
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(podSpec(job)!.containers[0]!.command).toEqual([
      'node',
      'dist/tools/db/src/migrate-deploy.js',
      '--migrations',
      'prisma/migrations',
    ]);
  });
});

describe('policies', () => {
  const all = () => Object.entries(renders).flatMap(([name, objs]) => objs.map((o) => [name, o] as const));

  it('every container has requests and limits, runs non-root on a read-only root fs, and no :latest', () => {
    let checked = 0;
    for (const [render, obj] of all()) {
      const spec = podSpec(obj);
      if (!spec) continue;
      expect(spec.securityContext?.['runAsNonRoot']).toBe(true);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const where = `${render}: ${obj.kind}/${obj.metadata.name} ${c.name}`;
        expect([where, c.resources?.requests?.['cpu'], c.resources?.requests?.['memory']]).not.toContain(undefined);
        expect([where, c.resources?.limits?.['cpu'], c.resources?.limits?.['memory']]).not.toContain(undefined);
        expect([where, c.securityContext?.['runAsNonRoot'], c.securityContext?.['readOnlyRootFilesystem']]).toEqual([
          where,
          true,
          true,
        ]);
        expect([where, c.securityContext?.['allowPrivilegeEscalation']]).toEqual([where, false]);
        expect([where, c.image]).toEqual([where, expect.stringMatching(/:[\w.-]+$/)]);
        expect([where, c.image]).not.toEqual([where, expect.stringMatching(/:latest$/)]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('probes hit /health/live and /health/ready', () => {
    for (const [, obj] of all()) {
      if (obj.kind !== 'Deployment') continue;
      const c = podSpec(obj)!.containers[0]!;
      expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
    }
  });

  it.each(['default', 'production', 'dev', 'switches', 'minimal'])(
    'the %s worker is pinned to its GPU nodes with GPU limits, tolerations, a drain-sized grace period and a PDB',
    (name) => {
      const objs = renders[name]!;
      const spec = podSpec(find(objs, 'Deployment', '-inference-worker')!)!;
      const worker = spec.containers[0]!;
      expect(Number(worker.resources?.limits?.['nvidia.com/gpu'])).toBeGreaterThanOrEqual(1);
      expect(spec.nodeSelector?.['nvidia.com/gpu.product']).toMatch(/^NVIDIA-/);
      expect(spec.tolerations).toContainEqual(expect.objectContaining({ key: 'nvidia.com/gpu', effect: 'NoSchedule' }));
      // On SIGTERM in-flight jobs get drainSeconds (300) to finish: the pod must be allowed that long.
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(300);
      expect(find(objs, 'PodDisruptionBudget', '-inference-worker')).toBeDefined();
      expect(worker.env?.map((e) => e.name)).not.toContain('DATABASE_URL');
    },
  );

  it('the worker takes a full engine batch per lane unless its concurrency is set', () => {
    const env = (name: string) =>
      podSpec(find(renders[name]!, 'Deployment', '-inference-worker')!)!.containers[0]!.env ?? [];
    // Unset, the worker takes BATCH_MAX_SIZE jobs per lane; a pinned 1 would cap every batch at one job.
    for (const name of ['default', 'production', 'dev'])
      expect(env(name).map((e) => e.name)).not.toContain('WORKER_CONCURRENCY');
    expect(env('switches')).toContainEqual({ name: 'WORKER_CONCURRENCY', value: '4' });
    // Settings the chart has no value of its own for go through worker.extraEnv.
    expect(env('switches')).toContainEqual({ name: 'GRAPH_OPTIMIZATION_LEVEL', value: 'extended' });
    // Production runs on CUDA or not at all: no silent fallback to CPU on a GPU node.
    expect(env('production')).toContainEqual({ name: 'EXECUTION_PROVIDERS', value: 'cuda' });
    expect(env('default')).toContainEqual({ name: 'EXECUTION_PROVIDERS', value: 'cuda,cpu' });
    expect(env('default').map((e) => e.name)).not.toContain('GRAPH_OPTIMIZATION_LEVEL');
  });

  it('the default worker targets A100 80GB nodes; production sets the runtime class', () => {
    expect(podSpec(find(renders['default']!, 'Deployment', '-inference-worker')!)!.nodeSelector).toEqual({
      'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB',
    });
    expect(podSpec(find(renders['production']!, 'Deployment', '-inference-worker')!)!.runtimeClassName).toBe('nvidia');
  });

  it('the model comes from a PVC or from S3 through the verifying init container, never the image', () => {
    const pvc = podSpec(find(renders['default']!, 'Deployment', '-inference-worker')!)!;
    expect(pvc.initContainers).toBeUndefined();
    expect(pvc.volumes).toContainEqual(expect.objectContaining({ persistentVolumeClaim: expect.anything() }));
    const s3 = podSpec(find(renders['production']!, 'Deployment', '-inference-worker')!)!;
    expect(s3.initContainers?.[0]?.command).toEqual(['node', 'dist/tools/build/src/pull-model.js']);
    expect(s3.volumes).toContainEqual(expect.objectContaining({ name: 'model', emptyDir: expect.anything() }));
  });

  it('KEDA scales the worker on the backlog metric between the configured bounds', () => {
    const so = find(renders['production']!, 'ScaledObject', '-inference-worker')! as K8sObject & {
      spec: {
        minReplicaCount: number;
        maxReplicaCount: number;
        triggers: { type: string; metadata: Record<string, string> }[];
      };
    };
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.maxReplicaCount).toBe(16);
    // Every exporter (case-api and each worker) reports the same Redis backlog: one value per lane,
    // or the backlog would grow with the number of workers and scale them out on their own.
    expect(so.spec.triggers[0]!.metadata['query']).toBe(
      'sum(max by (lane) (dentalgemma_queue_backlog{namespace="dentalgemma",lane=~"interactive|batch"}))',
    );
    // KEDA owns the replica count: the Deployment must not fight it on every upgrade.
    expect(find(renders['production']!, 'Deployment', '-inference-worker')!['spec'] as object).not.toHaveProperty(
      'replicas',
    );
  });

  it('only the ingress and monitoring namespaces reach the APIs; workers egress only to DNS, Redis and S3', () => {
    type Peer = { namespaceSelector?: { matchLabels: Record<string, string> }; ipBlock?: { cidr: string } };
    type Rule = { from?: Peer[]; to?: Peer[]; ports: { port: number | string; protocol: string }[] };
    const np = (suffix: string) =>
      find(renders['production']!, 'NetworkPolicy', suffix)!['spec'] as {
        ingress: Rule[];
        egress: Rule[];
        policyTypes: string[];
      };
    const api = np('-case-api');
    expect(api.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(
      api.ingress.flatMap((r) => r.from!.map((p) => p.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'])),
    ).toEqual(['ingress-nginx', 'monitoring', 'keda']);
    const worker = np('-inference-worker');
    const egressPorts = worker.egress.flatMap((r) => r.ports.map((p) => p.port)).sort();
    expect(egressPorts).toEqual([443, 53, 53, 6379]);
    expect(worker.egress.every((r) => r.to && r.to.length > 0)).toBe(true);
    expect(JSON.stringify(worker)).not.toContain('5432');
  });

  it('case-api alone may deliver webhooks outside the cluster; production keeps them off private ranges', () => {
    type Rule = { to?: { ipBlock?: { cidr: string; except?: string[] } }[]; ports: { port: number }[] };
    const egress = (render: string, suffix: string) =>
      (find(renders[render]!, 'NetworkPolicy', suffix)!['spec'] as { egress: Rule[] }).egress;
    const webhookRule = (rules: Rule[]) => rules.find((r) => r.to?.some((p) => p.ipBlock?.cidr === '0.0.0.0/0'));
    const prod = webhookRule(egress('production', '-case-api'));
    expect(prod?.ports.map((p) => p.port)).toEqual([443]);
    expect(prod?.to![0]!.ipBlock!.except).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
    );
    expect(webhookRule(egress('production', '-ingestion'))).toBeUndefined();
    // By default the webhook port is open to any address, for case-api only.
    const defaults = (suffix: string) => egress('default', suffix).filter((r) => !r.to && r.ports[0]!.port === 443);
    expect(defaults('-case-api')).toHaveLength(2); // S3 and webhooks
    expect(defaults('-ingestion')).toHaveLength(1); // S3
  });

  it("the APIs believe X-Forwarded-For from in-cluster peers only (the ingress controller's pods)", () => {
    const config = find(renders['production']!, 'ConfigMap', '-config')! as K8sObject & {
      data: Record<string, string>;
    };
    expect(config.data['TRUSTED_PROXIES']).toBe('uniquelocal');
  });

  it('the nginx Ingress passes upload bodies through to ingestion, unless the values say otherwise', () => {
    const ing = find(renders['production']!, 'Ingress', 'dentalgemma')!;
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-body-size': '0',
      'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
      'cert-manager.io/cluster-issuer': 'letsencrypt',
    });
    const pinned = run(tools.helm, [
      'template',
      'dg',
      CHART_DIR,
      '--show-only',
      'templates/ingress.yaml',
      '--set',
      'ingress.enabled=true',
      '--set',
      'ingress.host=api.example.com',
      '--set',
      'ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-body-size=200m',
    ]);
    expect(pinned).toContain('nginx.ingress.kubernetes.io/proxy-body-size: 200m');
    expect(pinned).toContain('nginx.ingress.kubernetes.io/proxy-request-buffering: "off"');
  });

  it('the Ingress routes only /v1 paths, each to the API that owns it', () => {
    expect(find(renders['default']!, 'Ingress', 'dentalgemma')).toBeUndefined();
    const ing = find(renders['production']!, 'Ingress', 'dentalgemma')! as K8sObject & {
      spec: { rules: { http: { paths: { path: string; backend: { service: { name: string } } }[] } }[] };
    };
    const routes = ing.spec.rules[0]!.http.paths.map((p) => [p.path, p.backend.service.name]);
    // Every /v1 prefix the controllers serve reaches its API, and nothing else is routed.
    const served = [
      ...v1Prefixes('case-api').map((p) => [p, 'dentalgemma-case-api']),
      ...v1Prefixes('ingestion').map((p) => [p, 'dentalgemma-ingestion']),
    ];
    expect([...routes].sort()).toEqual(served.sort());
    expect(() =>
      run(tools.helm, [
        'template',
        'dg',
        CHART_DIR,
        '--set',
        'ingress.enabled=true',
        '--set',
        'ingress.paths.caseApi[0]=/metrics',
      ]),
    ).toThrow(/does not match pattern/);
  });

  it('secrets appear only by reference: no Secret objects and no secret-looking literal values', () => {
    for (const [render, obj] of all()) {
      expect([render, obj.kind]).not.toEqual([render, 'Secret']);
      const text = JSON.stringify(obj);
      // Credentials in URLs, or values that usually carry one.
      expect([render, obj.metadata.name, text]).not.toEqual([
        render,
        obj.metadata.name,
        expect.stringMatching(/:\/\/[^/"@\s]+:[^/"@\s]+@/),
      ]);
      const spec = podSpec(obj);
      for (const c of spec ? [...spec.containers, ...(spec.initContainers ?? [])] : []) {
        for (const e of c.env ?? []) {
          if (/URL|SECRET|PASSWORD|TOKEN|ACCESS_KEY/.test(e.name))
            expect([obj.metadata.name, e.name, e.value]).toEqual([obj.metadata.name, e.name, undefined]);
        }
      }
      if (obj.kind === 'ConfigMap')
        expect(Object.keys(obj['data'] as object).join()).not.toMatch(/SECRET|PASSWORD|DATABASE_URL|REDIS_URL/);
    }
  });
});
