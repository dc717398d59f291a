import { z } from 'zod';
import { allTeeth, TOOTH_TYPES, toothType, type Dentition, type ToothType } from './notation';

export const TOOTH_STATES = ['present', 'missing', 'unknown'] as const;
export const ToothStateSchema = z.enum(TOOTH_STATES);
export type ToothState = z.infer<typeof ToothStateSchema>;

export interface DentitionSummary {
  dentition: Dentition;
  present: number[];
  missing: number[];
  unknown: number[];
  /**
   * true: every tooth seen present; false: at least one seen missing; null: nothing missing but some
   * teeth not assessed, so completeness cannot be stated.
   */
  complete: boolean | null;
  typesPresent: ToothType[];
}

export interface CompletenessOptions {
  /** Third molars are often absent by development; many charts judge completeness without them. */
  excludeThirdMolars?: boolean;
}

/** Completeness of a dentition from what was observed; teeth not in `observed` are unknown. */
export function summarizeDentition(
  dentition: Dentition,
  observed: ReadonlyMap<number, ToothState> | Record<number, ToothState>,
  opts: CompletenessOptions = {},
): DentitionSummary {
  const get = (fdi: number): ToothState =>
    (observed instanceof Map ? observed.get(fdi) : (observed as Record<number, ToothState>)[fdi]) ?? 'unknown';
  const teeth = allTeeth(dentition).filter(
    (fdi) => !(opts.excludeThirdMolars && dentition === 'permanent' && fdi % 10 === 8),
  );
  const by = (s: ToothState) => teeth.filter((fdi) => get(fdi) === s);
  const [present, missing, unknown] = [by('present'), by('missing'), by('unknown')];
  const complete = missing.length ? false : unknown.length ? null : true;
  const seen = new Set(present.map(toothType));
  const typesPresent = TOOTH_TYPES.filter((t) => seen.has(t));
  return { dentition, present, missing, unknown, complete, typesPresent };
}
