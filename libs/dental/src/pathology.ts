import { z } from 'zod';
import type { Urgency } from './urgency';

/** The card's six panoramic classes (OPG classification and object-detection datasets). */
export const PATHOLOGY_CLASSES = [
  'healthy',
  'caries',
  'impacted-teeth',
  'bdc-bdr',
  'infection',
  'fractured-teeth',
] as const;
export const PathologyClassSchema = z.enum(PATHOLOGY_CLASSES);
export type PathologyClass = z.infer<typeof PathologyClassSchema>;

export interface PathologyClassInfo {
  id: PathologyClass;
  displayName: string;
  /** Phrases that name the class in free text, lower case; the display name is matched too. */
  synonyms: readonly string[];
  defaultUrgency: Urgency;
}

/**
 * Default urgencies: a healthy OPG needs only recall; caries, impactions and broken-down crowns or
 * roots progress but are rarely acute; infection and fractures usually hurt and can spread.
 */
export const PATHOLOGY: Record<PathologyClass, PathologyClassInfo> = {
  healthy: {
    id: 'healthy',
    displayName: 'Healthy Teeth',
    synonyms: [
      'healthy',
      'normal dentition',
      'no pathology',
      'no abnormalit',
      'within normal limits',
      'no significant',
    ],
    defaultUrgency: 'routine',
  },
  caries: {
    id: 'caries',
    displayName: 'Caries',
    synonyms: ['caries', 'carious', 'cavity', 'cavities', 'tooth decay', 'decay'],
    defaultUrgency: 'soon',
  },
  'impacted-teeth': {
    id: 'impacted-teeth',
    displayName: 'Impacted Teeth',
    synonyms: ['impacted', 'impaction', 'unerupted', 'embedded tooth'],
    defaultUrgency: 'soon',
  },
  'bdc-bdr': {
    id: 'bdc-bdr',
    displayName: 'BDC-BDR',
    synonyms: [
      'bdc-bdr',
      'bdc/bdr',
      'bdc',
      'bdr',
      'broken down crown',
      'broken-down crown',
      'broken down root',
      'broken-down root',
      'retained root',
      'root stump',
    ],
    defaultUrgency: 'soon',
  },
  infection: {
    id: 'infection',
    displayName: 'Infection',
    synonyms: [
      'infection',
      'infected',
      'abscess',
      'periapical lesion',
      'periapical radiolucency',
      'periapical pathology',
      'osteomyelitis',
    ],
    defaultUrgency: 'urgent',
  },
  'fractured-teeth': {
    id: 'fractured-teeth',
    displayName: 'Fractured Teeth',
    synonyms: ['fracture', 'fractured', 'broken tooth', 'cracked tooth', 'cracked teeth'],
    defaultUrgency: 'urgent',
  },
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Every class named in a text, in order of first mention. Negated mentions ("no caries", "free of
 * fractures") are skipped: a screening answer lists what it excluded, and that is not a finding.
 * "healthy" is only taken when no pathology is named, since "healthy bone around a carious 36"
 * describes caries. `keepNegated` is for differential lists, where "rule out infection" names a
 * candidate rather than excluding it.
 */
export function pathologyMentions(text: string, opts: { keepNegated?: boolean } = {}): PathologyClass[] {
  const lower = text.toLowerCase();
  const hits: { cls: PathologyClass; at: number }[] = [];
  for (const info of Object.values(PATHOLOGY)) {
    const words = [info.displayName.toLowerCase(), ...info.synonyms];
    let first = -1;
    for (const w of words) {
      const re = new RegExp(`(?<![a-z])${escape(w)}`, 'g');
      for (const m of lower.matchAll(re)) {
        if (!opts.keepNegated && isNegated(lower, m.index)) continue;
        if (first < 0 || m.index < first) first = m.index;
        break;
      }
    }
    if (first >= 0) hits.push({ cls: info.id, at: first });
  }
  const ordered = hits.sort((a, b) => a.at - b.at).map((h) => h.cls);
  const pathology = ordered.filter((c) => c !== 'healthy');
  return pathology.length ? pathology : ordered;
}

/**
 * The words before a mention that negate it, within the same sentence or clause. Commas do not end
 * the scope: "no signs of caries, infection or fracture" negates all three.
 */
function isNegated(lower: string, at: number): boolean {
  const before =
    lower
      .slice(Math.max(0, at - 60), at)
      .split(/[.;:]|\bbut\b|\bhowever\b|\bwhile\b/)
      .pop() ?? '';
  return /\b(no|not|without|free of|absence of|negative for|rule[sd]? out|ruling out|excluded?)\b/.test(before);
}

/** Clinical-photo labels (cavity-detection dataset: YOLO-OBB boxes labelled cavity or normal). */
export const PHOTO_LABELS = ['cavity', 'normal'] as const;
export const PhotoLabelSchema = z.enum(PHOTO_LABELS);
export type PhotoLabel = z.infer<typeof PhotoLabelSchema>;

/** Severity of what a clinical photo shows; 'none' is the severity of a normal photo. */
export const SEVERITY_LEVELS = ['none', 'mild', 'moderate', 'severe'] as const;
export const SeveritySchema = z.enum(SEVERITY_LEVELS);
export type Severity = z.infer<typeof SeveritySchema>;

const SEVERITY_WORDS: [RegExp, Severity][] = [
  [/\b(severe|extensive|advanced|deep|large)\b/i, 'severe'],
  [/\b(moderate|medium|moderately)\b/i, 'moderate'],
  [/\b(mild|minor|small|early|incipient|initial|slight)\b/i, 'mild'],
];

/** The severity a text states, the most severe if several; undefined if it states none. */
export function severityFromText(text: string): Severity | undefined {
  for (const [re, level] of SEVERITY_WORDS) if (re.test(text)) return level;
  return undefined;
}
