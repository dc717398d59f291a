import { pathologyMentions, urgencyFromText } from '@dg/dental';
import type { ParseContext } from '../task-definition';
import { buildOutput } from '../shared/envelope';
import { sentences } from '../shared/text';
import { PATHOLOGY_CLASSIFICATION_CONTRACT, type PathologyClassificationOutput } from './contract';

const DIFFERENTIAL = /\b(differential|consider|rule out|ruled out|versus|vs\.?|other possibilit|alternatively)\b/i;
const URGENCY = /\b(urgen\w*|priority|emergen\w*|immediate\w*|routine|promptly|soon|timely|same[- ]day)\b/i;

/**
 * Answers to the card's OPG questions: open-ended diagnosis, yes/no screening, differential,
 * urgency, healthy vs abnormal. Sentences are sorted into those three roles by their wording.
 */
export function parsePathologyClassification(text: string, ctx?: ParseContext): PathologyClassificationOutput {
  const all = sentences(text);
  const differentialText = all.filter((s) => DIFFERENTIAL.test(s));
  const urgencyText = all.filter((s) => URGENCY.test(s) && !differentialText.includes(s));
  const main = all.filter((s) => !differentialText.includes(s) && !urgencyText.includes(s));

  const found = pathologyMentions(main.join(' '));
  const diagnosis = found[0];
  const differential = [
    ...new Set(differentialText.flatMap((s) => pathologyMentions(s, { keepNegated: true }))),
  ].filter((c) => c !== diagnosis && c !== 'healthy');
  const urgency = urgencyText.length ? urgencyFromText(urgencyText.join(' ')) : undefined;
  return buildOutput({
    contract: PATHOLOGY_CLASSIFICATION_CONTRACT,
    text,
    ctx,
    fields: { diagnosis, otherFindings: found.slice(1), differential, urgency },
    complete: diagnosis !== undefined && urgency !== undefined,
  }) as PathologyClassificationOutput;
}
