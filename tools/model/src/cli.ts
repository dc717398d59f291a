// Usage: node -r @swc-node/register tools/model/src/cli.ts --out models/tiny-dentalgemma [--force]
// Refuses to write into an existing non-empty folder unless --force, so a typo in --out cannot
// silently overwrite an unrelated directory's files.
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateTinyModel } from './generate-tiny-model';

function parseArgs(argv: string[]): { out: string; force: boolean } {
  let out: string | undefined;
  let force = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--force') force = true;
    else if (arg === '--out') out = argv[++i];
    else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else throw new Error(`unknown argument: ${arg}`);
  }
  if (!out) throw new Error('missing --out <dir>');
  return { out: resolve(out), force };
}

async function main(): Promise<void> {
  const { out, force } = parseArgs(process.argv.slice(2));
  if (existsSync(out) && readdirSync(out).length > 0 && !force) {
    throw new Error(`${out} exists and is not empty; pass --force to overwrite the tiny model's files`);
  }
  const started = Date.now();
  const { files } = await generateTinyModel(out);
  process.stdout.write(`tiny DentalGemma stand-in written to ${out} in ${Date.now() - started} ms:\n`);
  for (const f of files) process.stdout.write(`  ${f}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
