import { PATHOLOGY, PATHOLOGY_CLASSES } from '@dg/dental';

/** Candidates for a panoramic class field: the card's class names, as the training answers say them. */
export const PATHOLOGY_CANDIDATES = PATHOLOGY_CLASSES.map((c) => ({ value: c, text: PATHOLOGY[c].displayName }));
