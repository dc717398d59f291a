import { ManifestError, manifestIndex, ManifestRowSchema, parseManifest } from './manifest';

describe('parseManifest (csv)', () => {
  it('reads snake_case or camelCase headers, a BOM, quoted cells and empty optional cells', () => {
    const csv = [
      '\ufefffile,patient_external_id,clinic,acquisition_date',
      'scans/a.jpg,P-001,Main Street,2024-02-29',
      '"scans/b, c.jpg",P-002,,',
      '',
    ].join('\r\n');
    expect(parseManifest(csv, 'csv')).toEqual([
      { file: 'scans/a.jpg', patientExternalId: 'P-001', clinic: 'Main Street', acquisitionDate: '2024-02-29' },
      { file: 'scans/b, c.jpg', patientExternalId: 'P-002' },
    ]);
    expect(parseManifest('file,patientExternalId\na.jpg,P1\n', 'csv')).toEqual([
      { file: 'a.jpg', patientExternalId: 'P1' },
    ]);
  });

  it.each([
    ['file,patient_external_id\na.jpg,P1\nb.jpg,\n', /line 3: field "patient_external_id" is required/],
    ['file,patient_external_id,acquisition_date\na.jpg,P1,2023-02-29\n', /line 2: field "acquisition_date"/],
    ['file,patient_external_id,acquisition_date\na.jpg,P1,29/02/2024\n', /line 2: field "acquisition_date"/],
    ['file,patient,clinic\na.jpg,P1,x\n', /line 1: unknown column "patient"/],
    ['file,patient_external_id,patientExternalId\na.jpg,P1,P2\n', /appears twice/],
    ['file,patient_external_id\na.jpg,P1,extra\n', /not valid CSV.*line 2/],
    ['', /empty/],
  ])('names the line and field of %j', (csv, message) => {
    expect(() => parseManifest(csv, 'csv')).toThrow(ManifestError);
    expect(() => parseManifest(csv, 'csv')).toThrow(message);
  });
});

describe('parseManifest (json)', () => {
  it('reads an array of objects', () => {
    const json = JSON.stringify([
      { file: 'a.jpg', patientExternalId: 'P1', acquisitionDate: '2024-01-31' },
      { file: 'b.jpg', patient_external_id: 'P2', clinic: 'North' },
    ]);
    expect(parseManifest(json, 'json')).toEqual([
      { file: 'a.jpg', patientExternalId: 'P1', acquisitionDate: '2024-01-31' },
      { file: 'b.jpg', patientExternalId: 'P2', clinic: 'North' },
    ]);
  });

  it.each([
    ['{"file":"a.jpg"}', /must be an array/],
    ['[{"file":"a.jpg","patientExternalId":"P1"},{"file":"b.jpg"}]', /row 2: field "patientExternalId" is required/],
    ['[{"file":"a.jpg","patientExternalId":42}]', /row 1: field "patientExternalId"/],
    ['[{"file":"a.jpg","patientExternalId":"P1","dob":"1970-01-01"}]', /row 1: unknown field "dob"/],
    ['[1]', /row 1: expected an object/],
    ['[{', /not valid JSON/],
  ])('names the row and field of %j', (json, message) => {
    expect(() => parseManifest(json, 'json')).toThrow(message);
  });

  it('carries where the error is for callers that report it', () => {
    const error = (() => {
      try {
        parseManifest('[{"file":"a.jpg"}]', 'json');
      } catch (e) {
        return e as ManifestError;
      }
    })();
    expect(error?.where).toEqual({ row: 1, field: 'patientExternalId' });
  });
});

describe('manifestIndex', () => {
  it('keys rows by the normalized path archive entries get', () => {
    const rows = [
      { file: './scans\\a.jpg', patientExternalId: 'P1' },
      { file: 'b.jpg', patientExternalId: 'P2' },
    ];
    const index = manifestIndex(rows);
    expect([...index.keys()]).toEqual(['scans/a.jpg', 'b.jpg']);
    expect(index.get('scans/a.jpg')?.patientExternalId).toBe('P1');
  });

  it('refuses a file listed twice and a path that climbs out', () => {
    const twice = [
      { file: 'scans/a.jpg', patientExternalId: 'P1' },
      { file: 'scans/./a.jpg', patientExternalId: 'P2' },
    ];
    expect(() => manifestIndex(twice)).toThrow(/row 2: field "file" repeats "scans\/a.jpg" from row 1/);
    expect(() => manifestIndex([{ file: '../a.jpg', patientExternalId: 'P1' }])).toThrow(ManifestError);
  });

  it('exports the schema that gives the type', () => {
    expect(ManifestRowSchema.safeParse({ file: 'a', patientExternalId: ' P1 ' })).toMatchObject({
      success: true,
      data: { patientExternalId: 'P1' },
    });
  });
});
