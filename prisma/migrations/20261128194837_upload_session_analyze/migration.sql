-- AlterTable
ALTER TABLE "UploadSession" ADD COLUMN     "analyze" JSONB;
