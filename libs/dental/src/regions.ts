import { z } from 'zod';

/**
 * Regions of a panoramic radiograph (OPG), in the card's words: "right mandibular region",
 * "anterior maxillary region".
 *
 * Convention: a panoramic is viewed facing the patient, so the PATIENT'S RIGHT IS ON THE IMAGE'S
 * LEFT. Boxes are normalized to the image: [x0, y0, x1, y1] in [0, 1], x to the image's right,
 * y down. The maxilla is the upper half, the mandible the lower half (the occlusal plane runs near
 * the middle of a well-positioned OPG). Horizontally the image is split in thirds: patient right
 * (image left third), anterior (middle third: canine to canine), patient left (image right third).
 * The card's dataset does not publish its cut-offs; these are ours, and stated here so a box can be
 * mapped by hand.
 */
export const SIDES = ['right', 'anterior', 'left'] as const;
export type Side = (typeof SIDES)[number];
export const JAWS = ['maxillary', 'mandibular'] as const;
export type Jaw = (typeof JAWS)[number];

export const RegionSchema = z.object({ side: z.enum(SIDES), jaw: z.enum(JAWS) });
export type Region = z.infer<typeof RegionSchema>;

export const BoxSchema = z
  .tuple([z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1)])
  .refine(([x0, y0, x1, y1]) => x1 > x0 && y1 > y0, 'a box needs x1 > x0 and y1 > y0');
export type Box = [number, number, number, number];

/** Where the thirds and halves meet, in normalized image coordinates. */
export const SIDE_BOUNDS = [1 / 3, 2 / 3] as const;
export const JAW_BOUND = 1 / 2;
/**
 * How far a box may cross a boundary and still count as inside one region: annotators draw boxes a
 * little loose. Past this the box spans both regions and is reported as spanning, never assigned.
 */
export const BOUNDARY_TOLERANCE = 0.02;

export const regionName = (r: Region): string => `${r.side} ${r.jaw} region`;

/** Image-x intervals of the three sides, image left first (= patient right). */
const SIDE_SPANS: Record<Side, [number, number]> = {
  right: [0, SIDE_BOUNDS[0]],
  anterior: [SIDE_BOUNDS[0], SIDE_BOUNDS[1]],
  left: [SIDE_BOUNDS[1], 1],
};
const JAW_SPANS: Record<Jaw, [number, number]> = { maxillary: [0, JAW_BOUND], mandibular: [JAW_BOUND, 1] };

/** Zones an interval reaches into by more than the tolerance. */
function zonesOf<K extends string>(spans: Record<K, [number, number]>, lo: number, hi: number): K[] {
  const keys = Object.keys(spans) as K[];
  const overlap = (k: K) => Math.min(hi, spans[k][1]) - Math.max(lo, spans[k][0]);
  const hit = keys.filter((k) => overlap(k) > BOUNDARY_TOLERANCE);
  // A box thinner than the tolerance overlaps nothing "by more than" it: then every zone it touches
  // counts, so a tiny box astride a boundary is reported as spanning rather than guessed.
  return hit.length ? hit : keys.filter((k) => overlap(k) > 0);
}

/**
 * Teeth along one arch, image left to right, with the image-x slot of each: five posterior teeth
 * (8..4) in each outer third, six anterior teeth (3..3) in the middle third. A rough layout, which
 * is why teeth are only ever "candidates".
 */
function archSlots(jaw: Jaw): { fdi: number; from: number; to: number }[] {
  const [rightQ, leftQ] = jaw === 'maxillary' ? [1, 2] : [4, 3];
  const slots: number[] = [
    ...[8, 7, 6, 5, 4].map((p) => rightQ * 10 + p),
    ...[3, 2, 1].map((p) => rightQ * 10 + p),
    ...[1, 2, 3].map((p) => leftQ * 10 + p),
    ...[4, 5, 6, 7, 8].map((p) => leftQ * 10 + p),
  ];
  const [a, b] = SIDE_BOUNDS;
  return slots.map((fdi, i) => {
    if (i < 5) return { fdi, from: (a * i) / 5, to: (a * (i + 1)) / 5 };
    if (i < 11) return { fdi, from: a + ((b - a) * (i - 5)) / 6, to: a + ((b - a) * (i - 4)) / 6 };
    return { fdi, from: b + ((1 - b) * (i - 11)) / 5, to: b + ((1 - b) * (i - 10)) / 5 };
  });
}

export type RegionMapping =
  | { kind: 'region'; region: Region; description: string; candidateTeeth: number[] }
  | { kind: 'spanning'; regions: Region[]; description: string; candidateTeeth: number[] };

/** Maps a normalized box to its region, or says it spans several. Throws on an invalid box. */
export function mapBoxToRegion(box: Box): RegionMapping {
  const [x0, y0, x1, y1] = BoxSchema.parse(box);
  const sides = zonesOf(SIDE_SPANS, x0, x1);
  const jaws = zonesOf(JAW_SPANS, y0, y1);
  const regions = jaws.flatMap((jaw) => sides.map((side) => ({ side, jaw })));
  const candidateTeeth = jaws.flatMap((jaw) => {
    const slots = archSlots(jaw);
    const hit = slots.filter((s) => Math.min(x1, s.to) - Math.max(x0, s.from) > 0);
    return hit.map((s) => s.fdi);
  });
  if (regions.length === 1) {
    return { kind: 'region', region: regions[0]!, description: regionName(regions[0]!), candidateTeeth };
  }
  return { kind: 'spanning', regions, description: `spans the ${regions.map(regionName).join(', ')}`, candidateTeeth };
}

/**
 * The region a text names in the card's style ("right mandibular region", "lower left", "anterior
 * maxilla"). Undefined when it names no side or no jaw (half a region is not a region), or several
 * ("right and left mandibular", "right anterior"): the caller splits findings, this never picks one.
 */
export function regionFromText(text: string): Region | undefined {
  const t = text.toLowerCase();
  const sides = (
    [
      ['anterior', /\b(anterior|front|midline|incisor)/],
      ['right', /\bright\b/],
      ['left', /\bleft\b/],
    ] as const
  ).filter(([, re]) => re.test(t));
  const jaws = (
    [
      ['maxillary', /\b(maxilla|maxillary|upper)\b/],
      ['mandibular', /\b(mandible|mandibular|lower)\b/],
    ] as const
  ).filter(([, re]) => re.test(t));
  return sides.length === 1 && jaws.length === 1 ? { side: sides[0]![0], jaw: jaws[0]![0] } : undefined;
}
