-- CreateIndex
CREATE INDEX "Assessment_organizationId_lane_status_idx" ON "Assessment"("organizationId", "lane", "status");
