import { z } from 'zod';

/**
 * Tooth notation. The canonical form is FDI (ISO 3950): two digits, quadrant then position from the
 * midline. Quadrants 1-4 are permanent (1 upper right, 2 upper left, 3 lower left, 4 lower right,
 * the patient's sides), 5-8 the same quadrants in the primary dentition.
 */
export type Dentition = 'permanent' | 'primary';
export type Quadrant = 'UR' | 'UL' | 'LL' | 'LR';
export const QUADRANTS: readonly Quadrant[] = ['UR', 'UL', 'LL', 'LR'];

export const FdiToothSchema = z
  .number()
  .int()
  .refine((n) => isFdi(n), 'not an FDI tooth number (11-48 permanent, 51-85 primary)');

export function isFdi(n: number): boolean {
  const q = Math.floor(n / 10);
  const p = n % 10;
  if (!Number.isInteger(n)) return false;
  if (q >= 1 && q <= 4) return p >= 1 && p <= 8;
  if (q >= 5 && q <= 8) return p >= 1 && p <= 5;
  return false;
}

export interface Tooth {
  dentition: Dentition;
  quadrant: Quadrant;
  /** 1 = central incisor ... 8 (permanent) or 5 (primary), counting from the midline. */
  position: number;
}

export function fromFdi(fdi: number): Tooth {
  if (!isFdi(fdi)) throw new RangeError(`not an FDI tooth number: ${fdi}`);
  const q = Math.floor(fdi / 10);
  return { dentition: q <= 4 ? 'permanent' : 'primary', quadrant: QUADRANTS[(q - 1) % 4]!, position: fdi % 10 };
}

export function toFdi(t: Tooth): number {
  const q = QUADRANTS.indexOf(t.quadrant) + 1 + (t.dentition === 'primary' ? 4 : 0);
  const fdi = q * 10 + t.position;
  if (!isFdi(fdi)) throw new RangeError(`no such tooth: ${JSON.stringify(t)}`);
  return fdi;
}

/**
 * Universal (ADA): permanent 1-32 clockwise from the upper right third molar as the dentist faces
 * the patient (1 = 18, 16 = 28, 17 = 38, 32 = 48); primary A-T the same way (A = 55, J = 65,
 * K = 75, T = 85).
 */
export function fdiToUniversal(fdi: number): string {
  const t = fromFdi(fdi);
  const n = t.dentition === 'permanent' ? 8 : 5;
  const qi = QUADRANTS.indexOf(t.quadrant);
  // Upper right and lower left run from the back toward the midline; the other two away from it.
  const towardMidline = qi === 0 || qi === 2;
  const index = (qi >= 2 ? 2 * n : 0) + (towardMidline ? n - t.position : n + t.position - 1);
  return t.dentition === 'permanent' ? String(index + 1) : String.fromCharCode(65 + index);
}

export function universalToFdi(code: string): number {
  const s = code.trim().toUpperCase();
  let n: number;
  let index: number;
  let dentition: Dentition;
  if (/^\d{1,2}$/.test(s) && +s >= 1 && +s <= 32) [n, index, dentition] = [8, +s - 1, 'permanent'];
  else if (/^[A-T]$/.test(s)) [n, index, dentition] = [5, s.charCodeAt(0) - 65, 'primary'];
  else throw new RangeError(`not a Universal tooth code: ${code}`);
  const arch = index < 2 * n ? 0 : 1; // 0 upper, 1 lower
  const k = index - arch * 2 * n;
  const firstHalf = k < n;
  const quadrant: Quadrant = arch === 0 ? (firstHalf ? 'UR' : 'UL') : firstHalf ? 'LL' : 'LR';
  const position = firstHalf ? n - k : k - n + 1;
  return toFdi({ dentition, quadrant, position });
}

/**
 * Palmer (Zsigmondy): quadrant plus position, written here in the plain-text form "UR6" (permanent,
 * digits 1-8) and "URE" (primary, letters A-E), since the grid symbols do not survive plain text.
 */
export function fdiToPalmer(fdi: number): string {
  const t = fromFdi(fdi);
  return `${t.quadrant}${t.dentition === 'permanent' ? t.position : String.fromCharCode(64 + t.position)}`;
}

export function palmerToFdi(code: string): number {
  const m = /^(UR|UL|LL|LR)\s*([1-8]|[A-E])$/i.exec(code.trim());
  if (!m) throw new RangeError(`not a Palmer tooth code: ${code}`);
  const sym = m[2]!.toUpperCase();
  const primary = /[A-E]/.test(sym);
  return toFdi({
    dentition: primary ? 'primary' : 'permanent',
    quadrant: m[1]!.toUpperCase() as Quadrant,
    position: primary ? sym.charCodeAt(0) - 64 : Number(sym),
  });
}

/** The eight tooth types (the card's panoramic dataset annotates eight tooth-type classes). */
export const TOOTH_TYPES = [
  'central-incisor',
  'lateral-incisor',
  'canine',
  'first-premolar',
  'second-premolar',
  'first-molar',
  'second-molar',
  'third-molar',
] as const;
export type ToothType = (typeof TOOTH_TYPES)[number];

const PRIMARY_TYPES: readonly ToothType[] = [
  'central-incisor',
  'lateral-incisor',
  'canine',
  'first-molar',
  'second-molar',
];

export function toothType(fdi: number): ToothType {
  const t = fromFdi(fdi);
  return t.dentition === 'permanent' ? TOOTH_TYPES[t.position - 1]! : PRIMARY_TYPES[t.position - 1]!;
}

/** Every FDI number of a dentition, quadrant by quadrant, from the midline out. */
export function allTeeth(dentition: Dentition): number[] {
  const [first, n] = dentition === 'permanent' ? [1, 8] : [5, 5];
  return [0, 1, 2, 3].flatMap((q) => Array.from({ length: n }, (_, i) => (first + q) * 10 + i + 1));
}
