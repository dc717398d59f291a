import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { checkEntryName, displayName, MAX_NAME_LENGTH } from './entry-name';

/** One manifest row: which patient (and clinic, date) a file of the archive belongs to. */
export const ManifestRowSchema = z.strictObject({
  file: z.string().trim().min(1).max(MAX_NAME_LENGTH),
  patientExternalId: z.string().trim().min(1).max(128),
  clinic: z.string().trim().min(1).max(200).optional(),
  /** YYYY-MM-DD, a real calendar date. */
  acquisitionDate: z.iso.date({ error: 'must be a real date written YYYY-MM-DD' }).optional(),
});
export type ManifestRow = z.infer<typeof ManifestRowSchema>;

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    message: string,
    readonly where: { line?: number; row?: number; field?: string } = {},
  ) {
    super(message);
  }
}

type Field = keyof ManifestRow;
// Spreadsheet exports say patient_external_id, JSON writers patientExternalId: both are accepted.
const FIELDS: Record<string, Field> = {
  file: 'file',
  patient_external_id: 'patientExternalId',
  patientExternalId: 'patientExternalId',
  clinic: 'clinic',
  acquisition_date: 'acquisitionDate',
  acquisitionDate: 'acquisitionDate',
};

/** Parses and validates a whole manifest; the first bad row throws a ManifestError naming its line or row and field. */
export function parseManifest(text: string, format: 'csv' | 'json'): ManifestRow[] {
  return format === 'csv' ? parseCsvManifest(text) : parseJsonManifest(text);
}

function parseCsvManifest(text: string): ManifestRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (error) {
    throw new ManifestError(`manifest is not valid CSV: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new ManifestError('manifest is empty: expected a header row');
  const columns = header.record.map((name, i) => {
    const field = FIELDS[name];
    if (!field) throw new ManifestError(`manifest line ${header.info.lines}: unknown column "${displayName(name)}"`);
    if (header.record.indexOf(name) !== i || header.record.some((other, j) => j !== i && FIELDS[other] === field)) {
      throw new ManifestError(`manifest line ${header.info.lines}: column "${name}" appears twice`, { field });
    }
    return { name, field };
  });
  return rows.map(({ record, info }) => {
    // An empty cell is an absent optional value, not an empty string.
    const raw = Object.fromEntries(columns.flatMap(({ field }, i) => (record[i] ? [[field, record[i]]] : [])));
    return validate(
      raw,
      `manifest line ${info.lines}`,
      { line: info.lines },
      (f) => columns.find((c) => c.field === f)?.name ?? f,
    );
  });
}

function parseJsonManifest(text: string): ManifestRow[] {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`manifest is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(items)) throw new ManifestError('manifest JSON must be an array of objects');
  return items.map((item, i) => {
    const row = i + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ManifestError(`manifest row ${row}: expected an object`, { row });
    }
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(item)) {
      const field = FIELDS[key];
      if (!field) throw new ManifestError(`manifest row ${row}: unknown field "${displayName(key)}"`, { row });
      raw[field] = value;
    }
    return validate(raw, `manifest row ${row}`, { row }, (f) => f);
  });
}

function validate(
  raw: Record<string, unknown>,
  where: string,
  at: { line?: number; row?: number },
  label: (field: string) => string,
): ManifestRow {
  const parsed = ManifestRowSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  const problem = issue.code === 'invalid_type' && raw[field] === undefined ? ' is required' : `: ${issue.message}`;
  throw new ManifestError(`${where}: field "${label(field)}"${problem}`, { ...at, field });
}

/**
 * The rows by normalized path, the same normalization archive entries get (`ArchiveEntry.path`),
 * so "./scans\\a.jpg" in a manifest finds "scans/a.jpg" in a zip.
 */
export function manifestIndex(rows: ManifestRow[]): Map<string, ManifestRow> {
  const index = new Map<string, ManifestRow>();
  const firstRow = new Map<string, number>();
  rows.forEach((r, i) => {
    const row = i + 1;
    const name = checkEntryName(r.file);
    if (!name.ok) throw new ManifestError(`manifest row ${row}: field "file" ${name.reason}`, { row, field: 'file' });
    const first = firstRow.get(name.path);
    if (first !== undefined) {
      throw new ManifestError(
        `manifest row ${row}: field "file" repeats "${displayName(name.path)}" from row ${first}`,
        { row, field: 'file' },
      );
    }
    firstRow.set(name.path, row);
    index.set(name.path, r);
  });
  return index;
}
