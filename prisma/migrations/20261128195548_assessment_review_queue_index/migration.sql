-- CreateIndex
CREATE INDEX "Assessment_organizationId_status_reviewState_createdAt_idx" ON "Assessment"("organizationId", "status", "reviewState", "createdAt");
