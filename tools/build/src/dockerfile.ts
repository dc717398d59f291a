/**
 * Just enough of a Dockerfile reader for the image checks: instructions grouped by stage, with
 * continuation lines joined, exec-form (JSON) arguments decoded and ENV pairs split. The specs use it
 * to run exactly the CMD, HEALTHCHECK and COPY lines the images are built from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './k8s-tools';

export const APPS = ['case-api', 'ingestion', 'inference-worker'] as const;
export type App = (typeof APPS)[number];

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  args: Record<string, string>;
  stages: Stage[];
}

export function dockerfilePath(app: App): string {
  return join(REPO_ROOT, 'docker', app, 'Dockerfile');
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!current && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    if (current && line.trim().startsWith('#')) continue;
    if (line.endsWith('\\')) current += `${line.slice(0, -1)} `;
    else {
      logical.push((current + line).trim());
      current = '';
    }
  }
  const out: Dockerfile = { args: {}, stages: [] };
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const kw = keyword!.toUpperCase();
    if (kw === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`cannot read FROM ${args}`);
      out.stages.push({ from: m[1]!, name: m[2], instructions: [] });
    } else if (out.stages.length === 0) {
      if (kw === 'ARG') {
        const [k, v] = args.split('=', 2);
        out.args[k!] = v ?? '';
      }
    } else out.stages[out.stages.length - 1]!.instructions.push({ keyword: kw, args });
  }
  return out;
}

export function readDockerfile(app: App): Dockerfile {
  return parseDockerfile(readFileSync(dockerfilePath(app), 'utf8'));
}

/** The base image of a stage with global ARG defaults substituted. */
export function resolveFrom(df: Dockerfile, stage: Stage): string {
  return stage.from.replace(/\$\{?(\w+)\}?/g, (_m, name: string) => df.args[name] ?? '');
}

/** Exec-form arguments (`["node", "x.js"]`); shell form is refused: signals must reach node. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not exec form: ${args}`);
  return parsed;
}

export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV'))
    for (const pair of i.args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  return env;
}

export function finalStage(df: Dockerfile): Stage {
  return df.stages[df.stages.length - 1]!;
}

export function one(stage: Stage, keyword: string): Instruction | undefined {
  const found = stage.instructions.filter((i) => i.keyword === keyword);
  return found[found.length - 1];
}

/** The command the runtime image runs (CMD), and its HEALTHCHECK command. */
export function runtimeCommands(df: Dockerfile): { cmd: string[]; healthcheck: string[]; workdir: string } {
  const stage = finalStage(df);
  const health = one(stage, 'HEALTHCHECK');
  const cmdIdx = health ? health.args.indexOf('CMD ') : -1;
  return {
    cmd: execForm(one(stage, 'CMD')!.args),
    healthcheck: cmdIdx >= 0 ? execForm(health!.args.slice(cmdIdx + 4)) : [],
    workdir: one(stage, 'WORKDIR')?.args ?? '/',
  };
}

export interface CopyFrom {
  from: string;
  src: string;
  dest: string;
}

export function copiesFrom(stage: Stage): CopyFrom[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const parts = i.args.split(/\s+/);
      const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
      const paths = parts.filter((p) => !p.startsWith('--'));
      if (!from || paths.length !== 2) throw new Error(`unexpected COPY in the runtime stage: ${i.args}`);
      return { from, src: paths[0]!, dest: paths[1]! };
    });
}
