import { ImportFormFieldsSchema } from '@dg/contracts';
import { UsageError } from '../args';
import type { ImportOptions } from '../import-source';

const FLAG: Record<string, string> = {
  clinic: '--clinic',
  caseId: '--case',
  modality: '--modality',
  tasks: '--tasks',
  dryRun: '--dry-run',
};

/**
 * The import's options checked with the API's own schema before anything is sent: a typo in --tasks
 * is a usage error now, not a refusal after a 2 GB upload. Gives the multipart text fields too.
 */
export function importOptions(values: {
  clinic?: string;
  case?: string;
  modality?: string;
  tasks?: string;
  'dry-run'?: boolean;
}): { options: ImportOptions; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  if (values.clinic !== undefined) fields['clinic'] = values.clinic;
  if (values.case !== undefined) fields['caseId'] = values.case;
  if (values.modality !== undefined) fields['modality'] = values.modality;
  if (values.tasks !== undefined) fields['tasks'] = values.tasks;
  if (values['dry-run']) fields['dryRun'] = 'true';
  const parsed = ImportFormFieldsSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    throw new UsageError(`${FLAG[field] ?? field}: ${issue.message}`);
  }
  const o = parsed.data;
  const options: ImportOptions = {
    clinic: o.clinic,
    caseId: o.caseId,
    modality: o.modality,
    tasks: o.tasks,
    dryRun: o.dryRun,
  };
  return { options, fields };
}
