import { defineConfig } from 'prisma/config';

// Prisma 7 reads the connection from here, not from the schema. Only `prisma generate` runs the CLI
// in this project (migrations are applied by tools/db), so a placeholder URL is enough when unset.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? 'postgresql://localhost:5432/unused' },
});
