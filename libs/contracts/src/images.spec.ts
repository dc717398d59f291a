import { CreateUploadSchema, UploadImageFieldsSchema } from './images';

describe('upload fields', () => {
  const caseId = '11111111-1111-4111-8111-111111111111';

  it('read analyze as default or a list of tasks, and refuse anything else', () => {
    const analyze = (value: string) => UploadImageFieldsSchema.safeParse({ caseId, analyze: value });
    expect(analyze('default').data?.analyze).toBe('default');
    expect(analyze('radiographic-report, dentition-assessment').data?.analyze).toEqual([
      'radiographic-report',
      'dentition-assessment',
    ]);
    for (const bad of ['', 'bleaching', 'default,radiographic-report', 'radiographic-report,']) {
      expect(analyze(bad).success).toBe(false);
    }
    expect(UploadImageFieldsSchema.parse({ caseId }).analyze).toBeUndefined();
  });

  it('take analyze in the JSON of a direct upload too', () => {
    const upload = (analyze: unknown) => CreateUploadSchema.safeParse({ caseId, sizeBytes: 10, analyze });
    expect(upload('default').success).toBe(true);
    expect(upload(['case-analysis']).success).toBe(true);
    expect(upload([]).success).toBe(false);
    expect(upload('all').success).toBe(false);
  });
});
