import { TOOTH_TYPES, type ToothType } from '@dg/dental';
import type { ParseContext } from '../task-definition';
import { buildOutput } from '../shared/envelope';
import { sentences } from '../shared/text';
import { DENTITION_ASSESSMENT_CONTRACT, type DentitionAssessmentOutput } from './contract';

/**
 * Tooth-type words, most specific first. A bare "molars" means first and second molars: third
 * molars are so often absent that an answer means them only when it names them.
 */
const TYPE_WORDS: [RegExp, ToothType[]][] = [
  [/\bcentral incisors?\b/gi, ['central-incisor']],
  [/\blateral incisors?\b/gi, ['lateral-incisor']],
  [/\bincisors?\b/gi, ['central-incisor', 'lateral-incisor']],
  [/\b(canines?|cuspids?|eye teeth)\b/gi, ['canine']],
  [/\bfirst premolars?\b/gi, ['first-premolar']],
  [/\bsecond premolars?\b/gi, ['second-premolar']],
  [/\b(premolars?|bicuspids?)\b/gi, ['first-premolar', 'second-premolar']],
  [/\bfirst molars?\b/gi, ['first-molar']],
  [/\bsecond molars?\b/gi, ['second-molar']],
  [/\b(third molars?|wisdom teeth|wisdom tooth)\b/gi, ['third-molar']],
  [/\bmolars?\b/gi, ['first-molar', 'second-molar']],
];

function typesIn(sentence: string): ToothType[] {
  // "first and second molars" names two types: spell it out before the specific words consume it.
  let rest = sentence.replace(
    /\b(first|second)\s*(?:,|and|or)\s*(second|third)\s+(molars|premolars)\b/gi,
    '$1 $3 and $2 $3',
  );
  const found = new Set<ToothType>();
  for (const [re, types] of TYPE_WORDS) {
    // Consume each match so "first molars" is not also read as a bare "molars".
    rest = rest.replace(re, () => {
      types.forEach((t) => found.add(t));
      return ' ';
    });
  }
  return TOOTH_TYPES.filter((t) => found.has(t));
}

const MISSING = /\b(missing|absent|not (visible|present|seen)|extracted|lost|edentulous|agenesis|congenitally)\b/i;
/** "No third molars are seen": a sentence that denies teeth lists missing ones. */
const NO_TYPE = /\bno\b[^.;]{0,25}\b(teeth|tooth|molars?|premolars?|incisors?|canines?)\b/i;
const COMPLETE =
  /\b(complete (permanent |primary |adult )?dentition|full complement|all (\d+ )?teeth (are )?present|no missing teeth|dentition (is|appears) complete)\b/i;
const INCOMPLETE = /\b(incomplete|partially edentulous|missing teeth|teeth are missing|tooth is missing)\b/i;
const OVERVIEW =
  /\b(bone|alveolar|sinus\w*|condyl\w*|ramus|canal|trabecul\w*|periodont\w*|anatom\w*|TMJ|temporomandibular)\b/i;

/** Answers to the card's dentition questions: completeness, tooth types, anatomical overview. */
export function parseDentitionAssessment(text: string, ctx?: ParseContext): DentitionAssessmentOutput {
  const all = sentences(text);
  const present = new Set<ToothType>();
  const missing = new Set<ToothType>();
  for (const s of all) {
    const types = typesIn(s);
    const into = MISSING.test(s) || NO_TYPE.test(s) ? missing : present;
    for (const t of types) into.add(t);
  }
  const joined = all.join(' ');
  // "No missing teeth" says complete; the incomplete wording is looked for in what remains.
  const saysComplete = COMPLETE.test(joined);
  const saysIncomplete = INCOMPLETE.test(joined.replace(new RegExp(COMPLETE.source, 'gi'), ' ')) || missing.size > 0;
  const completeness = saysComplete && !saysIncomplete ? 'complete' : saysIncomplete ? 'incomplete' : undefined;
  const count = /\b(\d{1,2})\s+(permanent |primary |erupted )?teeth\b/i.exec(joined);
  const dentition = /\bmixed dentition\b/i.test(joined)
    ? 'mixed'
    : /\b(primary|deciduous) dentition\b/i.test(joined)
      ? 'primary'
      : /\b(permanent|adult) dentition\b/i.test(joined)
        ? 'permanent'
        : undefined;
  const toothTypesPresent = TOOTH_TYPES.filter((t) => present.has(t) && !missing.has(t));
  return buildOutput({
    contract: DENTITION_ASSESSMENT_CONTRACT,
    text,
    ctx,
    fields: {
      completeness,
      toothCount: count ? Number(count[1]) : undefined,
      dentition,
      toothTypesPresent,
      toothTypesMissing: TOOTH_TYPES.filter((t) => missing.has(t)),
      overview: all.filter((s) => OVERVIEW.test(s)),
    },
    complete: completeness !== undefined && toothTypesPresent.length > 0,
  }) as DentitionAssessmentOutput;
}
