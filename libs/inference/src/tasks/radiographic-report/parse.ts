import { pathologyMentions, regionFromText, regionName, urgencyFromText } from '@dg/dental';
import type { ParseContext } from '../task-definition';
import { buildOutput } from '../shared/envelope';
import { items, sections, sentences } from '../shared/text';
import { RADIOGRAPHIC_REPORT_CONTRACT, type RadiographicReportOutput, type RegionFinding } from './contract';

const HEADINGS = {
  findings: /^(radiographic )?(findings|observations)/i,
  impression: /^(impression|conclusion|summary|assessment|diagnosis)/i,
  differential: /^differential/i,
  recommendations: /^(clinical )?(recommendations?|plan|management)/i,
  urgency: /urgency|priority/i,
};
const RECOMMEND = /\b(recommend\w*|should|advis\w*|refer\w*|follow[- ]up|monitor\w*|schedule\w*)\b/i;
const DIFFERENTIAL = /\b(differential|rule out|consider)\b/i;

function finding(line: string): RegionFinding | undefined {
  const region = regionFromText(line);
  const conditions = pathologyMentions(line);
  if (!region && !conditions.length) return undefined;
  return { ...(region ? { region, regionName: regionName(region) } : {}), conditions, description: line };
}

/**
 * Structured reports as the card's object-detection questions produce them: findings per region,
 * differentials, recommendations. Headed sections are read by heading; a report without headings
 * is read sentence by sentence by wording.
 */
export function parseRadiographicReport(text: string, ctx?: ParseContext): RadiographicReportOutput {
  const sec = sections(text, HEADINGS);
  const headed = Object.keys(sec).length > 0;
  const all = sentences(text);
  const recommendationLines = headed ? items(sec.recommendations ?? '') : all.filter((s) => RECOMMEND.test(s));
  const differentialText = headed ? (sec.differential ?? '') : all.filter((s) => DIFFERENTIAL.test(s)).join(' ');
  const findingLines = headed
    ? items(sec.findings ?? '')
    : all.filter((s) => !recommendationLines.includes(s) && !DIFFERENTIAL.test(s));
  const findings = findingLines.map(finding).filter((f): f is RegionFinding => f !== undefined);
  // A bare "high" under an urgency heading reads as "urgency: high".
  const urgencyText = headed
    ? sec.urgency
      ? `urgency: ${sec.urgency}`
      : ''
    : all.filter((s) => /urgen|priority|immediate/i.test(s)).join(' ');
  const urgency = urgencyFromText(urgencyText);
  return buildOutput({
    contract: RADIOGRAPHIC_REPORT_CONTRACT,
    text,
    ctx,
    fields: {
      findings,
      differential: pathologyMentions(differentialText, { keepNegated: true }).filter((c) => c !== 'healthy'),
      recommendations: recommendationLines,
      urgency,
    },
    complete: findings.length > 0 && findings.every((f) => f.region) && recommendationLines.length > 0,
  }) as RadiographicReportOutput;
}
