/**
 * Builds .gpu-pack/: everything the GPU benchmark needs on a machine with no Node.js and no
 * internet, within the device tool's 64 MiB: this Node binary (xz), onnxruntime-node's Linux x64
 * build, onnxruntime-common and zod, the benchmark compiled to CommonJS with swc (only the files
 * it imports), and the benchmark prompts tokenized here with the real Gemma 3 tokenizer.
 *
 *   node -r @swc-node/register tools/bench/gpu/pack.ts [--fast]   (--fast: quick xz, for dry runs)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { transformFileSync } from '@swc/core';
import { PromptBuilder, readModelConfig, SYSTEM_PROMPT, taskDefinition } from '@dg/inference';
import { generateTinyModel } from '../../model/src/generate-tiny-model';

const ROOT = resolve(__dirname, '..', '..', '..');
const OUT = join(ROOT, '.gpu-pack');
const ENTRY = 'tools/bench/gpu/node-bench.ts';

/** The entry and every file it reaches through relative imports. */
function closure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(join(ROOT, file), 'utf8');
    for (const m of src.matchAll(/^(?:import|export)(?!\s+type)[^'"]*from\s+'(\.[^']+)'/gm)) {
      visit(relative(ROOT, resolve(ROOT, dirname(file), `${m[1]}.ts`)));
    }
  };
  visit(entry);
  return [...seen];
}

async function prompts(): Promise<{ text: number[]; image: number[] }> {
  // The tiny model carries the real Gemma 3 tokenizer and chat template: the ids are the real ones.
  const dir = join(ROOT, 'models', 'tiny-dentalgemma');
  if (!existsSync(join(dir, 'manifest.json'))) await generateTinyModel(dir);
  const builder = await PromptBuilder.load(dir, await readModelConfig(dir));
  const text = builder.encode({
    system: SYSTEM_PROMPT,
    user: taskDefinition('case-analysis').buildPrompt({
      caseText: {
        age: 35,
        sex: 'male',
        chiefComplaint: 'Severe throbbing pain in the lower right molar region for 3 days.',
        clinicalFindings: 'Deep carious lesion on tooth #46 with tenderness to percussion.',
        radiographicFindings: 'Periapical radiolucency.',
        medicalHistory: 'No significant medical history.',
      },
    }),
  });
  const image = builder.encode({
    system: SYSTEM_PROMPT,
    user: taskDefinition('pathology-classification').buildPrompt({}),
    pixelValues: new Float32Array(1),
  });
  return { text, image };
}

async function main(): Promise<void> {
  const fast = process.argv.includes('--fast');
  rmSync(OUT, { recursive: true, force: true });
  const app = join(OUT, 'runtime', 'app');
  for (const file of closure(ENTRY)) {
    const { code } = transformFileSync(join(ROOT, file), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    const dest = join(app, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, code);
  }
  const nm = join(OUT, 'runtime', 'node_modules');
  mkdirSync(nm, { recursive: true });
  const copy = (from: string, to: string) => execFileSync('cp', ['-r', join(ROOT, 'node_modules', from), join(nm, to)]);
  mkdirSync(join(nm, 'onnxruntime-node', 'bin', 'napi-v6', 'linux'), { recursive: true });
  for (const part of ['package.json', 'dist']) copy(`onnxruntime-node/${part}`, `onnxruntime-node/${part}`);
  copy('onnxruntime-node/bin/napi-v6/linux/x64', 'onnxruntime-node/bin/napi-v6/linux/x64');
  copy('onnxruntime-common', 'onnxruntime-common');
  copy('zod', 'zod');
  writeFileSync(join(OUT, 'runtime', 'prompts.json'), JSON.stringify(await prompts()));

  const level = fast ? '-0' : '-9';
  execFileSync('sh', ['-c', `tar -C "${OUT}" -cf - runtime | xz ${level} -T2 > "${OUT}/runtime.tar.xz"`]);
  execFileSync('sh', ['-c', `xz ${level} -T2 -c "${process.execPath}" > "${OUT}/node.xz"`]);
  rmSync(join(OUT, 'runtime'), { recursive: true, force: true });
  const size = (f: string) =>
    (Number(execFileSync('stat', ['-c', '%s', join(OUT, f)]).toString()) / 2 ** 20).toFixed(1);
  console.log(`.gpu-pack: node.xz ${size('node.xz')} MiB, runtime.tar.xz ${size('runtime.tar.xz')} MiB`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
