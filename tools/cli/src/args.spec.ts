import { connection, importIdArgument, parseCommand, UsageError } from './args';
import { importOptions } from './commands/import-options';

describe('arguments', () => {
  it('parses command options with the global ones, strictly', () => {
    const { values, positionals } = parseCommand(['x.zip', '--no-wait', '--url', 'http://h:1'], {
      'no-wait': { type: 'boolean' },
    });
    expect(values).toEqual({ 'no-wait': true, url: 'http://h:1' });
    expect(positionals).toEqual(['x.zip']);
    expect(() => parseCommand(['--nope'], {})).toThrow(UsageError);
  });

  it('takes the connection from flags, else the environment, else the local default', () => {
    expect(connection({}, { DG_API_KEY: 'k' })).toEqual({ url: 'http://127.0.0.1:3001', apiKey: 'k' });
    expect(connection({ url: 'https://x/api/' }, { DG_INGESTION_URL: 'http://y', DG_API_KEY: 'k' }).url).toBe(
      'https://x/api',
    );
    expect(() => connection({}, {})).toThrow('DG_API_KEY');
    expect(() => connection({ url: 'ftp://x' }, { DG_API_KEY: 'k' })).toThrow('not an http or https URL');
  });

  it('checks import options with the API schema, naming the flag', () => {
    expect(importOptions({ tasks: 'pathology-classification, localized-findings' }).options.tasks).toEqual([
      'pathology-classification',
      'localized-findings',
    ]);
    expect(() => importOptions({ tasks: 'pathology-classification,telepathy' })).toThrow(/^--tasks: /);
    expect(importOptions({ case: '11111111-2222-4333-8444-555555555555', 'dry-run': true })).toEqual({
      options: { caseId: '11111111-2222-4333-8444-555555555555', dryRun: true },
      fields: { caseId: '11111111-2222-4333-8444-555555555555', dryRun: 'true' },
    });
    expect(() => importOptions({ case: '42' })).toThrow(/^--case: /);
    expect(() => importOptions({ modality: 'x-ray' })).toThrow(/^--modality: /);
    expect(() => importOptions({ clinic: '  ' })).toThrow(/^--clinic: /);
  });

  it('takes one import id, a UUID', () => {
    expect(importIdArgument(['11111111-2222-4333-8444-555555555555'], 'status')).toBe(
      '11111111-2222-4333-8444-555555555555',
    );
    expect(() => importIdArgument([], 'status')).toThrow('status takes one import id');
    expect(() => importIdArgument(['x'], 'status')).toThrow('not an import id');
  });
});
