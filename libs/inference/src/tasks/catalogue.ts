import type { TaskName } from '@dg/contracts';
import type { TaskDefinition } from './task-definition';
import { caseAnalysisTask } from './case-analysis/task';
import { clinicalPhotoAnalysisTask } from './clinical-photo-analysis/task';
import { dentitionAssessmentTask } from './dentition-assessment/task';
import { localizedFindingsTask } from './localized-findings/task';
import { pathologyClassificationTask } from './pathology-classification/task';
import { radiographicReportTask } from './radiographic-report/task';

/**
 * The card's six capabilities, one module each: a versioned prompt phrased like the card's training
 * questions, a versioned zod output contract (JSON Schema exported), a parser that never invents
 * fields, and, for class fields, the candidates that scoring can fill them from.
 */
export const TASKS: Record<TaskName, TaskDefinition> = {
  'clinical-photo-analysis': clinicalPhotoAnalysisTask,
  'pathology-classification': pathologyClassificationTask,
  'localized-findings': localizedFindingsTask,
  'dentition-assessment': dentitionAssessmentTask,
  'radiographic-report': radiographicReportTask,
  'case-analysis': caseAnalysisTask,
};

export function taskDefinition(name: TaskName): TaskDefinition {
  return TASKS[name];
}
