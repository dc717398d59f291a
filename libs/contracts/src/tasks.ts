import { z } from 'zod';

/**
 * The model card's six capabilities, as tasks. The string ids are part of the public API and of
 * stored assessments, so they never change; a task's behaviour changes through its prompt and
 * contract versions instead.
 */
export const TASK_NAMES = [
  'clinical-photo-analysis',
  'pathology-classification',
  'localized-findings',
  'dentition-assessment',
  'radiographic-report',
  'case-analysis',
] as const;

export const TaskNameSchema = z.enum(TASK_NAMES);
export type TaskName = z.infer<typeof TaskNameSchema>;

/** What a task needs as input: an image of some kind, or the case's text alone. */
export type TaskInputKind = 'image' | 'text';

export const TASK_INPUT: Record<TaskName, TaskInputKind> = {
  'clinical-photo-analysis': 'image',
  'pathology-classification': 'image',
  'localized-findings': 'image',
  'dentition-assessment': 'image',
  'radiographic-report': 'image',
  'case-analysis': 'text',
};

/** Every assessment carries this text: the card's own limits on how the model may be used. */
export const CLINICAL_DISCLAIMER =
  'DentalGemma output is decision support for licensed dental professionals. It is not a diagnosis, ' +
  'must be reviewed by a qualified clinician before any clinical use, and is not validated for ' +
  'autonomous diagnostic decisions.';
