-- AlterTable
ALTER TABLE "ArchiveImport" ADD COLUMN     "requestHash" TEXT;
