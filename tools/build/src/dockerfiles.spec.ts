/**
 * Structural rules of the images that no Docker engine is needed to check: dockerfile-utils' linter,
 * multi-stage, pinned base images, a numeric non-root USER, a node HEALTHCHECK, exec-form CMD, the
 * worker's CUDA base and ONNXRUNTIME_NODE_INSTALL=cuda12, no model in the image, and the compose
 * stack's wiring. The commands themselves run in images.int.spec.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { parse } from 'yaml';
import {
  APPS,
  copiesFrom,
  dockerfilePath,
  envOf,
  finalStage,
  parseDockerfile,
  readDockerfile,
  resolveFrom,
  runtimeCommands,
} from './dockerfile';
import { REPO_ROOT } from './k8s-tools';

describe.each(APPS)('docker/%s/Dockerfile', (app) => {
  const text = readFileSync(dockerfilePath(app), 'utf8');
  const df = readDockerfile(app);
  const runtime = finalStage(df);

  it('passes the dockerfile-utils linter', () => {
    expect(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage with every base image pinned to a tag, never latest', () => {
    expect(df.stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of df.stages) {
      const image = resolveFrom(df, stage);
      expect(image).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
  });

  it('runs as a numeric non-root user with a node HEALTHCHECK and an exec-form node CMD', () => {
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').pop()?.args ?? '';
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const { cmd, healthcheck } = runtimeCommands(df);
    expect(healthcheck[0]).toBe('node');
    expect(healthcheck.join(' ')).toContain('/health/live');
    expect(cmd).toEqual(['node', '--enable-source-maps', `dist/apps/${app}/src/main.js`]);
    expect(envOf(runtime)).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', HOME: '/tmp' });
  });

  it('ships production dependencies only, built in another stage, and never a model', () => {
    const deps = df.stages.find((s) => s.name === 'deps')!;
    expect(deps.instructions.find((i) => i.keyword === 'RUN')!.args).toContain('npm ci --omit=dev');
    expect(runtime.instructions.some((i) => i.keyword === 'RUN')).toBe(false);
    for (const copy of copiesFrom(runtime)) expect(copy.src).not.toMatch(/model/);
    expect(text).not.toMatch(/COPY\s+.*models?\//);
  });

  it('can fail: the linter and the parser reject broken files', () => {
    expect(
      validate('FROM node:22.12.0-bookworm-slim\nEXPOSE abc\nHEALTHCHECK --interval=x CMD true\n').length,
    ).toBeGreaterThan(0);
    expect(() => runtimeCommands(parseDockerfile('FROM a:1\nCMD node main.js\n'))).toThrow();
  });
});

describe('the worker image', () => {
  const df = readDockerfile('inference-worker');
  it('runs on a CUDA 12 runtime + cuDNN base with the CUDA provider installed at build time', () => {
    expect(resolveFrom(df, finalStage(df))).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-/);
    expect(envOf(df.stages.find((s) => s.name === 'deps')!)['ONNXRUNTIME_NODE_INSTALL']).toBe('cuda12');
    expect(envOf(finalStage(df))['EXECUTION_PROVIDERS']).toBe('cuda,cpu');
  });
});

describe('.dockerignore', () => {
  it('keeps models, local data, secrets and host node_modules out of the build context', () => {
    const lines = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['models', '.data', '.env', '**/node_modules', 'dist', '.git']) expect(lines).toContain(entry);
  });
});

describe('docker/docker-compose.yml', () => {
  type Service = {
    image?: string;
    build?: { context: string; dockerfile: string };
    read_only?: boolean;
    depends_on?: Record<string, { condition: string }>;
  };
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker', 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
  };

  it('runs PostgreSQL, Redis, MinIO with its bucket, the migrations job and the three apps', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['case-api', 'create-bucket', 'inference-worker', 'ingestion', 'migrate', 'minio', 'postgres', 'redis'].sort(),
    );
    for (const app of APPS) {
      const s = compose.services[app]!;
      expect(s.build?.dockerfile).toBe(`docker/${app}/Dockerfile`);
      expect(s.read_only).toBe(true);
    }
    expect(compose.services['case-api']!.depends_on?.['migrate']?.condition).toBe('service_completed_successfully');
    for (const s of Object.values(compose.services))
      if (s.image) {
        expect(s.image).toMatch(/:[^:]+$/);
        expect(s.image).not.toMatch(/:latest$/);
      }
  });
});

describe('the production build', () => {
  it('rewrites exactly the @dg/* aliases of tsconfig.base.json', () => {
    const swcrc = JSON.parse(readFileSync(join(REPO_ROOT, 'tools', 'build', 'swcrc.json'), 'utf8'));
    const tsconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.base.json'), 'utf8'));
    expect(swcrc.jsc.paths).toEqual(tsconfig.compilerOptions.paths);
    expect(swcrc.jsc.transform).toMatchObject({ legacyDecorator: true, decoratorMetadata: true });
  });
});
