// The "active vocabulary": the real Gemma 3 token ids the tiny model can actually produce.
//
// Why: a full hidden x 262208 output projection per step would dominate run time, so the tiny decoder
// scores only K tokens and scatters them into a [B, S, 262208] tensor filled with a low constant.
// Choosing whole lowercase words with a leading space ("▁the", "▁tooth", ...) plus "." and "," makes
// decoded output read as (meaningless) words instead of byte pieces or <unusedN> tokens.
import { readFileSync } from 'node:fs';

export const ACTIVE_VOCAB_SIZE = 4096;

const WORD = /^\u2581[a-z]{3,}$/;
const PUNCTUATION = ['.', ','];

export interface ActiveVocab {
  /** Token ids in ascending order; their position is the column of the tiny output head. */
  ids: number[];
  /** The matching SentencePiece pieces, for documentation and tests. */
  pieces: string[];
}

/** Picks the first ACTIVE_VOCAB_SIZE - 2 word pieces by id, plus "." and ",", from tokenizer.json. */
export function selectActiveVocab(tokenizerJsonPath: string): ActiveVocab {
  const tokenizer = JSON.parse(readFileSync(tokenizerJsonPath, 'utf8')) as {
    model: { vocab: Record<string, number> | [string, number][] };
    added_tokens?: { id: number }[];
  };
  const vocab = tokenizer.model.vocab;
  const entries: [string, number][] = Array.isArray(vocab)
    ? vocab.map(([piece], id) => [piece, id] as [string, number])
    : Object.entries(vocab);
  const added = new Set((tokenizer.added_tokens ?? []).map((t) => t.id));

  const words = entries
    .filter(([piece, id]) => WORD.test(piece) && !added.has(id))
    .sort((a, b) => a[1] - b[1])
    .slice(0, ACTIVE_VOCAB_SIZE - PUNCTUATION.length);
  const punctuation = PUNCTUATION.map((p) => {
    const hit = entries.find(([piece]) => piece === p);
    if (!hit) throw new Error(`tokenizer.json has no "${p}" piece`);
    return hit;
  });
  const chosen = [...words, ...punctuation].sort((a, b) => a[1] - b[1]);
  if (chosen.length !== ACTIVE_VOCAB_SIZE) {
    throw new Error(`active vocabulary has ${chosen.length} pieces, expected ${ACTIVE_VOCAB_SIZE}`);
  }
  return { ids: chosen.map(([, id]) => id), pieces: chosen.map(([piece]) => piece) };
}
