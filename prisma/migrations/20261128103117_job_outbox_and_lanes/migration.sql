-- AlterTable
ALTER TABLE "Assessment" ADD COLUMN     "lane" TEXT NOT NULL DEFAULT 'interactive';

-- CreateTable
CREATE TABLE "JobOutbox" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "queue" TEXT NOT NULL,
    "jobName" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "priority" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatchedAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "JobOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "JobOutbox_jobId_key" ON "JobOutbox"("jobId");

-- CreateIndex
CREATE INDEX "JobOutbox_dispatchedAt_createdAt_idx" ON "JobOutbox"("dispatchedAt", "createdAt");
