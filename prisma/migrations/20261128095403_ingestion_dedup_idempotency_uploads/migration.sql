/*
  Warnings:

  - A unique constraint covering the columns `[organizationId,sha256]` on the table `Image` will be added. If there are existing duplicate values, this will fail.

*/
-- DropIndex
DROP INDEX "Image_organizationId_sha256_idx";

-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "frame" INTEGER,
ADD COLUMN     "patientVerified" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "thumbnailKey" TEXT NOT NULL DEFAULT '',
ALTER COLUMN "originalKey" DROP NOT NULL;
-- Rows from before thumbnails get an empty key, new rows always set one.
ALTER TABLE "Image" ALTER COLUMN "thumbnailKey" DROP DEFAULT;

-- CreateTable
CREATE TABLE "IngestionIdempotencyRecord" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "statusCode" INTEGER,
    "responseBody" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "IngestionIdempotencyRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UploadSession" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "modality" "Modality",
    "frame" INTEGER,
    "matchPatient" BOOLEAN NOT NULL DEFAULT false,
    "objectKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "imageId" UUID,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UploadSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "IngestionIdempotencyRecord_createdAt_idx" ON "IngestionIdempotencyRecord"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "IngestionIdempotencyRecord_organizationId_scope_key_key" ON "IngestionIdempotencyRecord"("organizationId", "scope", "key");

-- CreateIndex
CREATE INDEX "UploadSession_organizationId_createdAt_idx" ON "UploadSession"("organizationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Image_organizationId_sha256_key" ON "Image"("organizationId", "sha256");
