-- Deduplication compares the SHA-256 of the original plus the chosen frame, so each frame of a
-- multi-frame DICOM object can be its own image. Existing rows: the SHA-256, with the frame when it
-- was not the first (a frame 0 pick and a single-frame object were the same key before).

-- DropIndex
DROP INDEX "Image_organizationId_sha256_key";

-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "dedupKey" TEXT;
UPDATE "Image" SET "dedupKey" = "sha256" || CASE WHEN "frame" > 0 THEN '#frame=' || "frame" ELSE '' END;
ALTER TABLE "Image" ALTER COLUMN "dedupKey" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Image_organizationId_dedupKey_key" ON "Image"("organizationId", "dedupKey");
