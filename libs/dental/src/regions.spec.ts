import fc from 'fast-check';
import {
  BOUNDARY_TOLERANCE,
  JAW_BOUND,
  mapBoxToRegion,
  regionFromText,
  SIDE_BOUNDS,
  type Box,
  type Region,
} from './regions';

describe('mapBoxToRegion (patient right = image left)', () => {
  // Hand-worked: posterior slots are 1/15 wide (48 47 46 45 44 from the image's left edge),
  // anterior slots 1/18 wide (13 12 11 21 22 23 from x = 1/3).
  it.each<[string, Box, string, number[]]>([
    ['image-left lower third', [0.05, 0.55, 0.25, 0.85], 'right mandibular region', [48, 47, 46, 45]],
    ['image-left upper third', [0.01, 0.2, 0.06, 0.4], 'right maxillary region', [18]],
    ['middle upper', [0.4, 0.1, 0.6, 0.45], 'anterior maxillary region', [12, 11, 21, 22]],
    ['middle lower', [0.46, 0.6, 0.54, 0.9], 'anterior mandibular region', [41, 31]],
    ['image-right upper third', [0.7, 0.1, 0.9, 0.4], 'left maxillary region', [24, 25, 26, 27]],
    ['image-right lower third', [0.81, 0.7, 0.86, 0.95], 'left mandibular region', [36]],
    ['bleeding 0.01 over the occlusal plane', [0.1, 0.49, 0.3, 0.9], 'right mandibular region', [47, 46, 45, 44]],
  ])('%s -> %s', (_name, box, description, teeth) => {
    const m = mapBoxToRegion(box);
    expect(m.kind).toBe('region');
    expect(m.description).toBe(description);
    expect(m.candidateTeeth).toEqual(teeth);
  });

  it('reports a box across the right/anterior boundary as spanning', () => {
    const m = mapBoxToRegion([0.25, 0.55, 0.45, 0.8]);
    expect(m).toMatchObject({
      kind: 'spanning',
      regions: [
        { side: 'right', jaw: 'mandibular' },
        { side: 'anterior', jaw: 'mandibular' },
      ],
      description: 'spans the right mandibular region, anterior mandibular region',
    });
    expect(m.candidateTeeth).toEqual([45, 44, 43, 42, 41]);
  });

  it('reports a box across both jaws as spanning', () => {
    const m = mapBoxToRegion([0.1, 0.4, 0.3, 0.7]);
    expect(m.kind).toBe('spanning');
    expect(m.kind === 'spanning' && m.regions.map((r) => r.jaw)).toEqual(['maxillary', 'mandibular']);
  });

  it('reports a sliver astride a boundary as spanning, not the side it leans to', () => {
    const m = mapBoxToRegion([1 / 3 - 0.001, 0.6, 1 / 3 + 0.005, 0.7]);
    expect(m.kind).toBe('spanning');
  });

  it.each<Box>([
    [0.5, 0.5, 0.5, 0.6],
    [0.6, 0.1, 0.5, 0.2],
    [-0.1, 0.1, 0.2, 0.2],
    [0.1, 0.1, 0.2, 1.2],
  ])('refuses the invalid box %j', (...box) => {
    expect(() => mapBoxToRegion(box as unknown as Box)).toThrow();
  });
});

// A grid of 1/997 never lands exactly on a boundary (1/3, 2/3, 1/2, tooth slots), so float noise at
// the knife edge cannot make a property flaky.
const coord = fc.integer({ min: 0, max: 997 }).map((k) => k / 997);
const box = fc
  .tuple(coord, coord, coord, coord)
  .filter(([a, b, c, d]) => a !== c && b !== d)
  .map(([a, b, c, d]): Box => [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)]);
const mirrorSide = (r: Region): Region => ({
  ...r,
  side: r.side === 'right' ? 'left' : r.side === 'left' ? 'right' : 'anterior',
});
const mirrorTooth = (fdi: number) =>
  ({ 1: 2, 2: 1, 3: 4, 4: 3 })[Math.floor(fdi / 10) as 1 | 2 | 3 | 4] * 10 + (fdi % 10);
const regionsOf = (m: ReturnType<typeof mapBoxToRegion>) => (m.kind === 'region' ? [m.region] : m.regions);
const key = (r: Region) => `${r.side}/${r.jaw}`;

describe('mapBoxToRegion properties', () => {
  it('always answers: one region, or several reported as spanning', () => {
    fc.assert(
      fc.property(box, (b) => {
        const m = mapBoxToRegion(b);
        expect(regionsOf(m).length).toBeGreaterThan(0);
        expect(m.kind === 'region').toBe(regionsOf(m).length === 1);
        expect(m.candidateTeeth.length).toBeGreaterThan(0);
      }),
    );
  });

  it('mirrors: flipping the image swaps the patient sides and the teeth', () => {
    fc.assert(
      fc.property(box, ([x0, y0, x1, y1]) => {
        const m = mapBoxToRegion([x0, y0, x1, y1]);
        const f = mapBoxToRegion([1 - x1, y0, 1 - x0, y1]);
        expect(regionsOf(f).map(key).sort()).toEqual(regionsOf(m).map(mirrorSide).map(key).sort());
        expect([...f.candidateTeeth].sort()).toEqual(m.candidateTeeth.map(mirrorTooth).sort());
      }),
    );
  });

  it('assigns a single region only to a box inside it, give or take the tolerance', () => {
    fc.assert(
      fc.property(box, ([x0, y0, x1, y1]) => {
        const m = mapBoxToRegion([x0, y0, x1, y1]);
        if (m.kind !== 'region') return;
        const [lo, hi] = { right: [0, SIDE_BOUNDS[0]], anterior: [...SIDE_BOUNDS], left: [SIDE_BOUNDS[1], 1] }[
          m.region.side
        ];
        expect(x0).toBeGreaterThanOrEqual(lo! - BOUNDARY_TOLERANCE);
        expect(x1).toBeLessThanOrEqual(hi! + BOUNDARY_TOLERANCE);
        if (m.region.jaw === 'maxillary') expect(y1).toBeLessThanOrEqual(JAW_BOUND + BOUNDARY_TOLERANCE);
        else expect(y0).toBeGreaterThanOrEqual(JAW_BOUND - BOUNDARY_TOLERANCE);
      }),
    );
  });

  it('gives candidate teeth only from the jaws it names', () => {
    fc.assert(
      fc.property(box, (b) => {
        const m = mapBoxToRegion(b);
        const jaws = new Set(regionsOf(m).map((r) => r.jaw));
        for (const t of m.candidateTeeth) expect(jaws.has(t < 30 ? 'maxillary' : 'mandibular')).toBe(true);
      }),
    );
  });
});

describe('regionFromText', () => {
  it.each([
    ['in the right mandibular region', { side: 'right', jaw: 'mandibular' }],
    ['anterior maxillary region', { side: 'anterior', jaw: 'maxillary' }],
    ['lower left molar area', { side: 'left', jaw: 'mandibular' }],
    ['Left maxilla', { side: 'left', jaw: 'maxillary' }],
  ])('%s', (text, region) => expect(regionFromText(text)).toEqual(region));

  it.each([
    'right side',
    'mandibular region',
    'right and left mandibular regions',
    'right anterior maxilla',
    'upper and lower right',
  ])('says nothing for the incomplete or ambiguous %p', (text) => expect(regionFromText(text)).toBeUndefined());
});
