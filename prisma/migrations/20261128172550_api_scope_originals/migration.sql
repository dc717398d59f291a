-- AlterEnum
ALTER TYPE "ApiScope" ADD VALUE 'originals';
