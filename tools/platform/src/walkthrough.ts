/** The copy-paste tour printed once everything is ready. */
export function walkthrough(
  urls: { caseApi: string; ingestion: string; worker: string },
  tenant: string,
  apiKey: string,
  sample: string,
): string {
  const { caseApi, ingestion, worker } = urls;
  return `
DentalGemma platform is up (tenant "${tenant}"; the model is the generated TINY test model unless MODEL_DIR says otherwise).

  case-api          ${caseApi}   (API docs: ${caseApi}/docs)
  ingestion         ${ingestion}
  inference-worker  ${worker}   (health and metrics only)

Admin API key of "${tenant}" (kept in .data/demo-api-key; set DG_BOOTSTRAP_API_KEY to choose it;
more keys: POST /v1/api-keys, or tools/platform/src/create-api-key.ts):

  export KEY=${apiKey}

Try the whole path (needs curl and jq):

  # 1. a patient and a case
  CASE=$(curl -s -X POST ${caseApi}/v1/cases -H "authorization: Bearer $KEY" -H 'content-type: application/json' \\
    -d '{"patient":{"externalId":"PMS-1","age":35,"sex":"male"},"chiefComplaint":"Throbbing pain lower right molar for 3 days","clinicalFindings":"Deep caries on 46, tender to percussion"}' | jq -r .id)

  # 2. upload a panoramic radiograph (a sample was written to ${sample})
  IMG=$(curl -s -X POST ${ingestion}/v1/images -H "authorization: Bearer $KEY" -F caseId=$CASE -F file=@${sample} | jq -r .id)

  # 3. ask for a pathology classification of it, and a text-only case analysis
  A1=$(curl -s -X POST ${caseApi}/v1/cases/$CASE/assessments -H "authorization: Bearer $KEY" -H 'content-type: application/json' \\
    -d "{\\"task\\":\\"pathology-classification\\",\\"imageId\\":\\"$IMG\\"}" | jq -r .id)
  A2=$(curl -s -X POST ${caseApi}/v1/cases/$CASE/assessments -H "authorization: Bearer $KEY" -H 'content-type: application/json' \\
    -d '{"task":"case-analysis"}' | jq -r .id)

  # 4. read the results (status goes queued -> running -> completed); note the ETag
  sleep 2; curl -si ${caseApi}/v1/assessments/$A1 -H "authorization: Bearer $KEY"
  curl -s ${caseApi}/v1/assessments/$A2 -H "authorization: Bearer $KEY" | jq '{status, rawText, weightsDigest, version}'

  # 5. review it as a clinician (If-Match: the ETag read above), sign it, see the follow-ups
  curl -s -X POST ${caseApi}/v1/assessments/$A2/reviews -H "authorization: Bearer $KEY" -H 'if-match: "1"' \\
    -H 'content-type: application/json' -d '{"clinicianId":"dr-demo","decision":"accepted"}' | jq '{reviewState, version}'
  curl -s -X POST ${caseApi}/v1/assessments/$A2/sign -H "authorization: Bearer $KEY" -H 'if-match: "2"' \\
    -H 'content-type: application/json' -d '{"clinicianId":"dr-demo"}' | jq '{reviewState, signedBy}'
  curl -s ${caseApi}/v1/cases/$CASE/follow-ups -H "authorization: Bearer $KEY" | jq

  # 6. the case with everything, as FHIR R4, and the audit log
  curl -s ${caseApi}/v1/cases/$CASE -H "authorization: Bearer $KEY" | jq '{assessments: (.assessments|length), findings}'
  curl -s ${caseApi}/v1/cases/$CASE/fhir -H "authorization: Bearer $KEY" | jq '[.entry[].resource.resourceType]'
  curl -s "${caseApi}/v1/audit?limit=5" -H "authorization: Bearer $KEY" | jq '.items[] | {method, route, statusCode}'

  # 7. an archive import: a folder (or .zip/.tar.gz, or s3://...) at batch priority, with progress
  mkdir -p /tmp/dg-archive && cp ${sample} /tmp/dg-archive/pano-1.png
  DG_INGESTION_URL=${ingestion} DG_API_KEY=$KEY npm run dg -- import /tmp/dg-archive --case $CASE
  #    (the sample is step 2's image already: the import reports it as a duplicate of it)
  #    then: npm run dg -- report <import id> --format csv  (also dg status, pause, resume, cancel)

  # health and metrics of any service
  curl -s ${worker}/health/ready | jq;  curl -s ${caseApi}/metrics | head

Ctrl-C stops everything.
`;
}
