/**
 * The plain manifests stay consistent with the chart: the committed k8s/base and overlays equal a
 * fresh `npm run k8s:render`, and `kubectl kustomize` of each yields exactly the objects
 * `helm template` renders from the same values (Helm-only metadata aside).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { k8sTools, parseObjects, renderChart, run, validateObjects, type K8sObject, type K8sTools } from './k8s-tools';
import {
  BASE_NAMESPACE,
  generatedOnDisk,
  jsonPatch,
  K8S_DIR,
  normalize,
  objectKey,
  OVERLAYS,
  renderManifests,
} from './render-manifests';

let tools: K8sTools;
beforeAll(async () => {
  tools = await k8sTools();
}, 60_000);

const byKey = (objs: K8sObject[]) => Object.fromEntries(objs.map((o) => [objectKey(o), o]));

it('the committed manifests are what npm run k8s:render writes now', async () => {
  const expected = await renderManifests(tools);
  expect(generatedOnDisk()).toEqual([...expected.keys()].sort());
  for (const [rel, content] of expected) {
    // On a mismatch: run `npm run k8s:render` and commit the result.
    expect([rel, readFileSync(join(K8S_DIR, rel), 'utf8')]).toEqual([rel, content]);
  }
}, 30_000);

it('reads the same as YAML 1.1 (kubectl, Argo CD): no bare off, on, yes or no where a string is meant', () => {
  for (const rel of generatedOnDisk()) {
    const text = readFileSync(join(K8S_DIR, rel), 'utf8');
    const as = (version: '1.1' | '1.2') => parseAllDocuments(text, { version }).map((d) => d.toJS());
    expect([rel, as('1.1')]).toEqual([rel, as('1.2')]);
  }
});

describe.each([
  { name: 'base', dir: 'base', namespace: BASE_NAMESPACE, valuesFiles: [] as string[] },
  ...OVERLAYS.map((o) => ({
    name: o.name,
    dir: `overlays/${o.name}`,
    namespace: o.namespace,
    valuesFiles: [o.valuesFile],
  })),
])('kubectl kustomize k8s/$dir', ({ dir, namespace, valuesFiles }) => {
  let built: K8sObject[];
  beforeAll(() => {
    built = parseObjects(run(tools.kubectl, ['kustomize', join(K8S_DIR, dir)]));
  });

  it('equals the Helm render of the same values', () => {
    const helm = normalize(renderChart(tools, { namespace, valuesFiles }), namespace);
    expect(Object.keys(byKey(built)).sort()).toEqual(Object.keys(byKey(helm)).sort());
    expect(byKey(built)).toEqual(byKey(helm));
  });

  it('is valid against the Kubernetes API schemas', () => {
    expect(validateObjects(built)).toEqual([]);
  });
});

describe('jsonPatch', () => {
  it('adds, removes and replaces, escaping / and ~ in keys', () => {
    expect(
      jsonPatch(
        { a: 1, b: { 'x/y': 1, 'm~n': [1] }, c: 3 } as never,
        { a: 2, b: { 'x/y': 1, 'm~n': [2] }, d: 4 } as never,
      ),
    ).toEqual([
      { op: 'remove', path: '/c' },
      { op: 'replace', path: '/a', value: 2 },
      { op: 'replace', path: '/b/m~0n', value: [2] },
      { op: 'add', path: '/d', value: 4 },
    ]);
  });
});
