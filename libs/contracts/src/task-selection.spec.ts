import { TASK_NAMES } from './tasks';
import { assertTaskInput, defaultTasks, TaskInputError, taskInputProblem } from './task-selection';

describe('task selection', () => {
  it('gives each kind of input its default tasks', () => {
    expect(defaultTasks({ modality: 'panoramic' })).toEqual([
      'pathology-classification',
      'localized-findings',
      'radiographic-report',
    ]);
    expect(defaultTasks({ modality: 'intraoral-photo' })).toEqual(['clinical-photo-analysis']);
    expect(defaultTasks({ kind: 'text' })).toEqual(['case-analysis']);
    expect(defaultTasks({ modality: 'bitewing' })).toEqual([]);
  });

  it('every default fits its input', () => {
    for (const m of ['panoramic', 'intraoral-photo'] as const) {
      for (const t of defaultTasks({ modality: m })) expect(taskInputProblem(t, { modality: m })).toBeUndefined();
    }
    expect(taskInputProblem('case-analysis', undefined)).toBeUndefined();
  });

  it('refuses a text-only task given an image', () => {
    const p = taskInputProblem('case-analysis', { modality: 'panoramic' });
    expect(p).toBeInstanceOf(TaskInputError);
    expect(p).toMatchObject({ problem: 'task-takes-no-image', code: 'task_input_mismatch', statusCode: 422 });
  });

  it('refuses every image task without an image', () => {
    for (const t of TASK_NAMES.filter((n) => n !== 'case-analysis')) {
      expect(() => assertTaskInput(t, undefined)).toThrow(TaskInputError);
      expect(taskInputProblem(t, undefined)?.problem).toBe('task-needs-image');
    }
  });

  it('refuses a radiograph task on a photo and the photo task on a radiograph', () => {
    expect(taskInputProblem('localized-findings', { modality: 'intraoral-photo' })?.problem).toBe('modality-mismatch');
    expect(taskInputProblem('clinical-photo-analysis', { modality: 'panoramic' })?.problem).toBe('modality-mismatch');
    expect(taskInputProblem('pathology-classification', { modality: 'other' })).toBeUndefined();
  });
});
