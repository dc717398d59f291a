import { pathologyMentions, regionFromText, regionName, type Region } from '@dg/dental';
import type { ParseContext } from '../task-definition';
import { buildOutput } from '../shared/envelope';
import { sentences } from '../shared/text';
import { LOCALIZED_FINDINGS_CONTRACT, type LocalizedFinding, type LocalizedFindingsOutput } from './contract';

/** Clause breaks: semicolons, commas, and an "and" that starts a new finding ("and an impacted tooth in"). */
const CLAUSE = /;|,|\s+and\s+(?=(?:an?\s+|the\s+)?\w+\s+(?:\w+\s+)?(?:is|are|in|at|within|of)\b)/;
const NONE =
  /\b(no (pathological |abnormal )?(findings?|pathology|abnormalit\w*|lesions?)|no evidence of (any )?pathology|healthy teeth)\b/i;

/**
 * Answers to the card's location-aware questions: "Caries is present in the right mandibular
 * region and an impacted tooth in the left mandibular region." Each clause is one finding; a
 * clause naming a region but no condition gives its region to the finding before it ("Caries is
 * seen, located in the left maxillary region"). A finding whose region is missing or ambiguous
 * keeps no region: the output is then partial, never guessed.
 */
export function parseLocalizedFindings(text: string, ctx?: ParseContext): LocalizedFindingsOutput {
  const findings: LocalizedFinding[] = [];
  let saysNone = false;
  for (const sentence of sentences(text)) {
    if (NONE.test(sentence) && pathologyMentions(sentence).every((c) => c === 'healthy')) {
      saysNone = true;
      continue;
    }
    const inSentence: LocalizedFinding[] = [];
    for (const clause of sentence.split(CLAUSE)) {
      const classes = pathologyMentions(clause).filter((c) => c !== 'healthy');
      const region = regionFromText(clause);
      if (!classes.length) {
        const last = inSentence[inSentence.length - 1];
        if (region && last && !last.region) Object.assign(last, at(region));
        continue;
      }
      for (const condition of classes)
        inSentence.push({ condition, ...(region ? at(region) : {}), source: clause.trim() });
    }
    findings.push(...inSentence);
  }
  const noFindings = saysNone && !findings.length ? (true as const) : undefined;
  return buildOutput({
    contract: LOCALIZED_FINDINGS_CONTRACT,
    text,
    ctx,
    fields: { findings, noFindings },
    complete: noFindings === true || (findings.length > 0 && findings.every((f) => f.region)),
    reasons: saysNone && findings.length ? ['conflicting'] : [],
  }) as LocalizedFindingsOutput;
}

const at = (region: Region) => ({ region, regionName: regionName(region) });
