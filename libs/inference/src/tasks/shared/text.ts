/**
 * Reading the model's prose. The card's answers are compositional clinical prose, sometimes with
 * markdown headings ("**Diagnosis:**") and bullets; these helpers split them without judging them.
 */

/** Sentences, with bullets and numbered items as sentences of their own. Markdown emphasis removed. */
export function sentences(text: string): string[] {
  return clean(text)
    .split(/\n+/)
    .flatMap((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').split(/(?<=[.!?])\s+(?=[A-Z(#])/))
    .map((s) => s.trim())
    .filter((s) => /[a-z]/i.test(s));
}

export const clean = (text: string): string => text.replace(/\*\*|__|`/g, '').replace(/\r/g, '');

/**
 * Sections under headings: "Diagnosis:", "## Management Plan", "**Follow-up:** text". Each heading is
 * matched against the given names (regexes over the heading text); body lines run to the next
 * heading of any kind. A heading not in `names` ends the previous section and is ignored.
 */
export function sections<K extends string>(text: string, names: Record<K, RegExp>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  let current: K | undefined | null = null;
  for (const raw of clean(text).split('\n')) {
    const line = raw.trim();
    const heading = /^(?:#{1,4}\s*)?(?:\d+[.)]\s*)?([A-Za-z][A-Za-z /&()-]{2,50}?)\s*(?::\s*(.*)|$)/.exec(line);
    const isHeading = heading && (heading[2] !== undefined || /^#/.test(line));
    if (isHeading) {
      const title = heading[1]!.trim();
      const key = (Object.keys(names) as K[]).find((k) => names[k].test(title));
      if (key || heading[2] === undefined || /^#/.test(line)) {
        current = key;
        if (key) out[key] = [out[key], heading[2] ?? ''].filter(Boolean).join('\n');
        continue;
      }
    }
    if (current && line) out[current] = [out[current], line].filter(Boolean).join('\n');
  }
  return out;
}

/** Items of a section body: bullets or numbered lines, else its sentences. */
export function items(body: string): string[] {
  return sentences(body).map((s) => s.replace(/[.;]$/, '').trim());
}

/**
 * Hedging: the model says it is not sure. "Most likely diagnosis" is how the prompt asks for the
 * answer, so it is not counted; "consistent with" is ordinary radiology language.
 */
const HEDGE =
  /\b(may|might|possibl[ey]|probabl[ey]|suggestive of|suggests?|cannot be (ruled out|excluded|determined)|unclear|uncertain|questionable|equivocal|difficult to (assess|determine)|(?<!most )likely)\b/i;
export const isHedged = (text: string): boolean => HEDGE.test(clean(text));

/**
 * An answer cut off mid-sentence. The engine's stop reason is the truth when known; without it, a
 * longer text ending without closing punctuation counts as cut off. Short answers ("Caries")
 * legitimately have none, hence the length floor.
 */
export function isTruncated(text: string, stopReason?: string): boolean {
  if (stopReason) return stopReason === 'max-new-tokens';
  const t = clean(text).trim();
  return t.length > 80 && !/[.!?)"'\]]$/.test(t);
}
