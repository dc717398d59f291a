import type { Modality } from './images';
import { TASK_INPUT, type TaskName } from './tasks';

/**
 * Which tasks fit which input. Pure functions, here in contracts so case-api (which refuses a
 * mismatch with a 4xx) and the worker (which should never receive one) read the same rules.
 */

/** The tasks run when a client asks for "the defaults" of an input (issue 4, task selection). */
export const DEFAULT_TASKS: Record<Modality | 'text', readonly TaskName[]> = {
  panoramic: ['pathology-classification', 'localized-findings', 'radiographic-report'],
  'intraoral-photo': ['clinical-photo-analysis'],
  // The card warns the model was not trained on periapical or bitewing films: no task by default,
  // a client may still ask for one explicitly.
  periapical: [],
  bitewing: [],
  other: [],
  text: ['case-analysis'],
};

export function defaultTasks(input: { modality: Modality } | { kind: 'text' }): readonly TaskName[] {
  return 'modality' in input ? DEFAULT_TASKS[input.modality] : DEFAULT_TASKS.text;
}

/** Modalities an image task accepts; 'other' (modality not known) is accepted by every image task. */
export const TASK_MODALITIES: Record<TaskName, readonly Modality[]> = {
  'clinical-photo-analysis': ['intraoral-photo', 'other'],
  'pathology-classification': ['panoramic', 'periapical', 'bitewing', 'other'],
  'localized-findings': ['panoramic', 'other'],
  'dentition-assessment': ['panoramic', 'other'],
  'radiographic-report': ['panoramic', 'other'],
  'case-analysis': [],
};

export type TaskInputProblem = 'task-needs-image' | 'task-takes-no-image' | 'modality-mismatch';

/**
 * A task asked for on an input it cannot use. APIs answer it with 422 and `code`, the error code
 * case-api already uses for this; `problem` says which mismatch it is.
 */
export class TaskInputError extends Error {
  override readonly name = 'TaskInputError';
  readonly statusCode = 422;
  readonly code = 'task_input_mismatch';
  constructor(
    readonly task: TaskName,
    readonly problem: TaskInputProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The problem with running `task` on this input, or undefined when it fits. */
export function taskInputProblem(
  task: TaskName,
  image: { modality: Modality } | undefined,
): TaskInputError | undefined {
  if (TASK_INPUT[task] === 'text') {
    return image
      ? new TaskInputError(task, 'task-takes-no-image', `${task} works on the case text only; send it without imageId`)
      : undefined;
  }
  if (!image) return new TaskInputError(task, 'task-needs-image', `${task} needs an image: send imageId`);
  if (!TASK_MODALITIES[task].includes(image.modality)) {
    return new TaskInputError(
      task,
      'modality-mismatch',
      `${task} does not take a ${image.modality} image (it takes: ${TASK_MODALITIES[task].join(', ')})`,
    );
  }
  return undefined;
}

/** Throws the TaskInputError of a mismatch. */
export function assertTaskInput(task: TaskName, image: { modality: Modality } | undefined): void {
  const problem = taskInputProblem(task, image);
  if (problem) throw problem;
}
