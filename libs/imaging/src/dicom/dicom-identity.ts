import { parseDicomHeader, str } from './dicom-decoder';

export interface DicomIdentity {
  patientId?: string;
  studyInstanceUid?: string;
}

/**
 * PatientID and StudyInstanceUID, read only to file an archive's DICOM objects under their patient
 * and study when no manifest does (PS3.15 identifying attributes: the caller must never log or
 * store PatientID beyond the patient's external id). Undefined fields when absent or unparsable.
 */
export function readDicomIdentity(file: Buffer): DicomIdentity {
  try {
    const { natural } = parseDicomHeader(file);
    return { patientId: str(natural['PatientID']), studyInstanceUid: str(natural['StudyInstanceUID']) };
  } catch {
    return {};
  }
}
