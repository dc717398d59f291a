-- CreateTable
CREATE TABLE "ArchiveImport" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "sourceKind" TEXT NOT NULL,
    "sourceUri" TEXT NOT NULL,
    "sourceName" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "sourceBytes" BIGINT,
    "manifestKey" TEXT,
    "manifestFormat" TEXT,
    "clinic" TEXT,
    "defaultCaseId" UUID,
    "modality" TEXT,
    "tasks" TEXT[],
    "idempotencyKey" TEXT,
    "totalItems" INTEGER,
    "summary" JSONB,
    "error" TEXT,
    "runs" INTEGER NOT NULL DEFAULT 0,
    "pausedMs" BIGINT NOT NULL DEFAULT 0,
    "pausedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ArchiveImport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImportItem" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "importId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "sizeBytes" BIGINT,
    "sha256" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "code" TEXT,
    "error" TEXT,
    "imageId" UUID,
    "duplicateOf" UUID,
    "duplicateOfIndex" INTEGER,
    "caseId" UUID,
    "patientExternalId" TEXT,
    "clinic" TEXT,
    "acquisitionDate" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ImportItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImportGroup" (
    "importId" UUID NOT NULL,
    "groupKey" TEXT NOT NULL,
    "caseId" UUID NOT NULL,

    CONSTRAINT "ImportGroup_pkey" PRIMARY KEY ("importId","groupKey")
);

-- CreateIndex
CREATE INDEX "ArchiveImport_organizationId_createdAt_idx" ON "ArchiveImport"("organizationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ArchiveImport_organizationId_idempotencyKey_key" ON "ArchiveImport"("organizationId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "ImportItem_importId_state_idx" ON "ImportItem"("importId", "state");

-- CreateIndex
CREATE INDEX "ImportItem_importId_sha256_idx" ON "ImportItem"("importId", "sha256");

-- CreateIndex
CREATE UNIQUE INDEX "ImportItem_importId_index_key" ON "ImportItem"("importId", "index");

-- AddForeignKey
ALTER TABLE "ArchiveImport" ADD CONSTRAINT "ArchiveImport_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImportItem" ADD CONSTRAINT "ImportItem_importId_fkey" FOREIGN KEY ("importId") REFERENCES "ArchiveImport"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImportGroup" ADD CONSTRAINT "ImportGroup_importId_fkey" FOREIGN KEY ("importId") REFERENCES "ArchiveImport"("id") ON DELETE CASCADE ON UPDATE CASCADE;
