import { Writable } from 'node:stream';
import type { Output } from '../cli-io';

/** A stdout or stderr stand-in that keeps what was written. */
export function capture(isTTY = false): Output & { text(): string } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & Output & { text(): string };
  out.isTTY = isTTY;
  out.text = () => chunks.join('');
  return out;
}
