import { Readable } from 'node:stream';
import { IMPORT_REPORT_COLUMNS, type ImportReportRow, type ItemState, type TenantId } from '@dg/contracts';
import type { ImportAnalysisRepository } from './import-analysis.repository';
import type { ImportRepository } from './import.repository';

const PAGE = 1000;

/** Every item of the import with its outcome, in archive order, a page of rows at a time. */
async function* reportRows(
  imports: ImportRepository,
  analysis: ImportAnalysisRepository,
  tenant: TenantId,
  importId: string,
): AsyncGenerator<ImportReportRow> {
  for (let after = -1; ;) {
    const items = await imports.itemsPage(importId, after, PAGE);
    if (!items.length) return;
    const ids = await analysis.assessmentIds(
      tenant,
      items.flatMap((i) => (i.imageId ? [i.imageId] : [])),
    );
    for (const i of items) {
      yield {
        index: i.index,
        file: i.name,
        state: i.state as ItemState,
        imageId: i.imageId,
        duplicateOf: i.duplicateOf,
        caseId: i.caseId,
        assessmentIds: i.imageId ? (ids.get(i.imageId) ?? []) : [],
        code: i.code,
        error: i.error,
        acquisitionDate: i.acquisitionDate,
      };
    }
    after = items[items.length - 1]!.index;
  }
}

/** A JSON array, streamed: a 100,000-item report is never one string in memory. */
export function jsonReport(...args: Parameters<typeof reportRows>): Readable {
  return Readable.from(
    (async function* () {
      let first = true;
      yield '[';
      for await (const row of reportRows(...args)) {
        yield (first ? '\n' : ',\n') + JSON.stringify(row);
        first = false;
      }
      yield '\n]\n';
    })(),
  );
}

/** RFC 4180 CSV with a header row; assessment ids are separated by spaces within their cell. */
export function csvReport(...args: Parameters<typeof reportRows>): Readable {
  return Readable.from(
    (async function* () {
      yield IMPORT_REPORT_COLUMNS.join(',') + '\r\n';
      for await (const row of reportRows(...args)) {
        yield IMPORT_REPORT_COLUMNS.map((c) => csvCell(c === 'assessmentIds' ? row.assessmentIds.join(' ') : row[c]))
          .join(',')
          .concat('\r\n');
      }
    })(),
  );
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A cell a spreadsheet would run as a formula is defused (file names come from the archive).
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
