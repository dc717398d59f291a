import { checkEntryName, displayName } from './entry-name';

describe('checkEntryName', () => {
  it.each([
    ['scans/a.jpg', 'scans/a.jpg'],
    ['./scans//a.jpg', 'scans/a.jpg'],
    ['scans\\a.jpg', 'scans/a.jpg'],
    ['scans/x/../a.jpg', 'scans/a.jpg'],
    ['e\u0301.jpg', '\u00e9.jpg'],
  ])('normalizes %j to %j', (raw, path) => {
    expect(checkEntryName(raw)).toEqual({ ok: true, path });
  });

  it.each([
    ['../x', 'path-traversal'],
    ['a/../../x', 'path-traversal'],
    ['..\\..\\windows\\x', 'path-traversal'],
    ['a\\..\\..\\x', 'path-traversal'],
    ['/etc/passwd', 'absolute-path'],
    ['\\\\server\\share\\x', 'absolute-path'],
    ['\\x', 'absolute-path'],
    ['C:/x', 'absolute-path'],
    ['c:x', 'absolute-path'],
    ['a\u0000.jpg', 'invalid-name'],
    ['a\n.jpg', 'invalid-name'],
    ['a\u202egpj.exe', 'invalid-name'],
    ['', 'invalid-name'],
    ['a/..', 'invalid-name'],
    ['x'.repeat(5000), 'invalid-name'],
  ])('refuses %j as %s', (raw, code) => {
    expect(checkEntryName(raw)).toMatchObject({ ok: false, code });
  });
});

describe('displayName', () => {
  it('escapes controls and cuts long names, so a name cannot forge report lines', () => {
    expect(displayName('a\nb\u0000c')).toBe('a\\u000ab\\u0000c');
    expect(displayName('x'.repeat(2000))).toHaveLength(513);
  });
});
