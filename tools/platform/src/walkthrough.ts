/** The copy-paste tour printed once everything is ready. */
export function walkthrough(
  urls: { caseApi: string; ingestion: string; worker: string },
  tenant: string,
  sample: string,
): string {
  const { caseApi, ingestion, worker } = urls;
  return `
DentalGemma platform is up (tenant "${tenant}"; the model is the generated TINY test model unless MODEL_DIR says otherwise).

  case-api          ${caseApi}
  ingestion         ${ingestion}
  inference-worker  ${worker}   (health and metrics only)

Try the whole path (needs curl and jq):

  # 1. a patient and a case
  CASE=$(curl -s -X POST ${caseApi}/v1/cases -H 'x-tenant: ${tenant}' -H 'content-type: application/json' \\
    -d '{"patient":{"externalId":"PMS-1","age":35,"sex":"male"},"chiefComplaint":"Throbbing pain lower right molar for 3 days","clinicalFindings":"Deep caries on 46, tender to percussion"}' | jq -r .id)

  # 2. upload a panoramic radiograph (a sample was written to ${sample})
  IMG=$(curl -s -X POST ${ingestion}/v1/images -H 'x-tenant: ${tenant}' -F caseId=$CASE -F file=@${sample} | jq -r .id)

  # 3. ask for a pathology classification of it, and a text-only case analysis
  A1=$(curl -s -X POST ${caseApi}/v1/cases/$CASE/assessments -H 'x-tenant: ${tenant}' -H 'content-type: application/json' \\
    -d "{\\"task\\":\\"pathology-classification\\",\\"imageId\\":\\"$IMG\\"}" | jq -r .id)
  A2=$(curl -s -X POST ${caseApi}/v1/cases/$CASE/assessments -H 'x-tenant: ${tenant}' -H 'content-type: application/json' \\
    -d '{"task":"case-analysis"}' | jq -r .id)

  # 4. read the results (status goes queued -> running -> completed)
  sleep 2; curl -s ${caseApi}/v1/assessments/$A1 -H 'x-tenant: ${tenant}' | jq
  curl -s ${caseApi}/v1/assessments/$A2 -H 'x-tenant: ${tenant}' | jq '{status, rawText, weightsDigest}'

  # health and metrics of any service
  curl -s ${worker}/health/ready | jq;  curl -s ${caseApi}/metrics | head

Ctrl-C stops everything.
`;
}
