import { severityFromText, type PhotoLabel, type Severity } from '@dg/dental';
import type { ParseContext } from '../task-definition';
import { buildOutput, type ReviewReason } from '../shared/envelope';
import { sentences } from '../shared/text';
import { CLINICAL_PHOTO_CONTRACT, type ClinicalPhotoOutput } from './contract';

const CAVITY = /\b(cavit(y|ies)|carious|caries|decay|cavitated|lesions?)\b/i;
const NO_CAVITY =
  /\b(no|without|free of|absence of|not show any|no signs of|no evidence of)\b[^.;]{0,40}\b(cavit(y|ies)|carious|caries|decay|lesions?)\b/i;
const NORMAL = /\b(normal|healthy|sound|intact)\b/i;
const RECOMMEND = /\b(recommend\w*|should|advis\w*|suggest\w*|consider|treatment|restoration|refer\w*|follow[- ]up)\b/i;
const YES_NO = /^\s*(yes|no)\b/i;

/**
 * Answers to the card's five photo question types: binary cavity detection, clinical description,
 * severity, image type, treatment recommendation. The label comes from what the answer affirms:
 * a cavity mentioned and not negated, or explicitly none.
 */
export function parseClinicalPhoto(text: string, ctx?: ParseContext): ClinicalPhotoOutput {
  const all = sentences(text);
  const recommendations = all.filter((s) => RECOMMEND.test(s));
  const findings = all.filter(
    (s) =>
      !recommendations.includes(s) &&
      (CAVITY.test(s) || NORMAL.test(s) || /\b(tooth|teeth|surface|enamel|gingiva)\b/i.test(s)),
  );

  const saysCavity = all.some((s) => CAVITY.test(s.replace(NO_CAVITY, '')));
  const saysNone = all.some((s) => NO_CAVITY.test(s)) || (/^\s*no\b/i.test(text) && YES_NO.test(text));
  const reasons: ReviewReason[] = [];
  let label: PhotoLabel | undefined;
  if (saysCavity && saysNone) reasons.push('conflicting');
  else if (saysCavity) label = 'cavity';
  else if (saysNone || all.some((s) => NORMAL.test(s) && /\b(teeth|tooth|dentition|photograph|image)\b/i.test(s)))
    label = 'normal';

  let severity: Severity | undefined = label === 'cavity' ? severityFromText(findings.join(' ')) : undefined;
  if (label === 'normal' && saysNone) severity = 'none';
  return buildOutput({
    contract: CLINICAL_PHOTO_CONTRACT,
    text,
    ctx,
    reasons,
    fields: { label, severity, findings, recommendations },
    complete: label !== undefined && severity !== undefined,
  }) as ClinicalPhotoOutput;
}
