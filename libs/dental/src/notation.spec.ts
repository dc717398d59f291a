import fc from 'fast-check';
import {
  allTeeth,
  fdiToPalmer,
  fdiToUniversal,
  fromFdi,
  isFdi,
  palmerToFdi,
  toFdi,
  toothType,
  universalToFdi,
} from './notation';

const anyFdi = fc.constantFrom(...allTeeth('permanent'), ...allTeeth('primary'));

describe('tooth notation', () => {
  it.each([
    [18, '1', 'UR8'],
    [11, '8', 'UR1'],
    [21, '9', 'UL1'],
    [28, '16', 'UL8'],
    [38, '17', 'LL8'],
    [31, '24', 'LL1'],
    [41, '25', 'LR1'],
    [46, '30', 'LR6'],
    [48, '32', 'LR8'],
    [55, 'A', 'URE'],
    [51, 'E', 'URA'],
    [61, 'F', 'ULA'],
    [65, 'J', 'ULE'],
    [75, 'K', 'LLE'],
    [71, 'O', 'LLA'],
    [81, 'P', 'LRA'],
    [85, 'T', 'LRE'],
  ])('FDI %i is Universal %s and Palmer %s', (fdi, universal, palmer) => {
    expect(fdiToUniversal(fdi)).toBe(universal);
    expect(fdiToPalmer(fdi)).toBe(palmer);
    expect(universalToFdi(universal)).toBe(fdi);
    expect(palmerToFdi(palmer)).toBe(fdi);
  });

  it('counts 32 permanent and 20 primary teeth', () => {
    expect(allTeeth('permanent')).toHaveLength(32);
    expect(allTeeth('primary')).toHaveLength(20);
    expect(new Set(allTeeth('permanent').map(fdiToUniversal)).size).toBe(32);
    expect(new Set(allTeeth('primary').map(fdiToUniversal)).size).toBe(20);
  });

  it.each([0, 10, 19, 49, 56, 90, 11.5, -11])('refuses %p as FDI', (n) => {
    expect(isFdi(n)).toBe(false);
    expect(() => fromFdi(n)).toThrow(RangeError);
  });

  it.each(['0', '33', 'U', 'Z', '1A', ''])('refuses Universal %p', (code) => {
    expect(() => universalToFdi(code)).toThrow(RangeError);
  });

  it.each(['UR9', 'URF', 'XX1', 'UR', '6'])('refuses Palmer %p', (code) => {
    expect(() => palmerToFdi(code)).toThrow(RangeError);
  });

  it('accepts lower-case and spaced codes', () => {
    expect(universalToFdi(' a ')).toBe(55);
    expect(palmerToFdi('lr 6')).toBe(46);
  });

  it('names tooth types in both dentitions', () => {
    expect(toothType(11)).toBe('central-incisor');
    expect(toothType(13)).toBe('canine');
    expect(toothType(36)).toBe('first-molar');
    expect(toothType(48)).toBe('third-molar');
    expect(toothType(54)).toBe('first-molar');
    expect(toothType(85)).toBe('second-molar');
  });

  it('round-trips every tooth through Universal and Palmer (property)', () => {
    fc.assert(
      fc.property(anyFdi, (fdi) => {
        expect(universalToFdi(fdiToUniversal(fdi))).toBe(fdi);
        expect(palmerToFdi(fdiToPalmer(fdi))).toBe(fdi);
        expect(toFdi(fromFdi(fdi))).toBe(fdi);
      }),
    );
  });

  it('round-trips every Universal code back to itself (property)', () => {
    const codes = fc.oneof(
      fc.integer({ min: 1, max: 32 }).map(String),
      fc.integer({ min: 65, max: 84 }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(fc.property(codes, (code) => expect(fdiToUniversal(universalToFdi(code))).toBe(code)));
  });

  it('keeps the patient side and arch across notations (property)', () => {
    fc.assert(
      fc.property(anyFdi, (fdi) => {
        const { quadrant } = fromFdi(fdi);
        expect(fdiToPalmer(fdi).slice(0, 2)).toBe(quadrant);
        const u = fdiToUniversal(fdi);
        const index = /\d/.test(u) ? Number(u) - 1 : u.charCodeAt(0) - 65;
        const half = /\d/.test(u) ? 16 : 10;
        // Universal numbers the upper arch first.
        expect(index < half).toBe(quadrant.startsWith('U'));
      }),
    );
  });
});
