import * as dcmjs from 'dcmjs';

export interface DicomIdentity {
  patientId?: string;
  studyInstanceUid?: string;
}

const PIXEL_DATA = '7FE00010';
const first = (v: unknown): string | undefined => {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'string' && x.trim() ? x.trim() : undefined;
};

/**
 * PatientID and StudyInstanceUID, read only to file an archive's DICOM objects under their patient
 * and study when no manifest does (PS3.15 identifying attributes: the caller must never log or
 * store PatientID beyond the patient's external id). Undefined fields when absent or unparsable.
 */
export function readDicomIdentity(file: Buffer): DicomIdentity {
  try {
    const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    const parsed = dcmjs.data.DicomMessage.readFile(ab, { untilTag: PIXEL_DATA });
    const natural = dcmjs.data.DicomMetaDictionary.naturalizeDataset(parsed.dict) as Record<string, unknown>;
    return { patientId: first(natural['PatientID']), studyInstanceUid: first(natural['StudyInstanceUID']) };
  } catch {
    return {};
  }
}
