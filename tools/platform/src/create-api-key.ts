import { parseArgs } from 'node:util';
import { API_SCOPES, type ApiScope } from '@dg/contracts';
import { createPrismaClient, ensureOrganization, issueApiKey } from '@dg/db';

/**
 * Issues an API key straight in the database: the way to get an organization's first admin key
 * (every later key can come from POST /v1/api-keys). Prints the key once.
 *
 *   DATABASE_URL=... node -r @swc-node/register tools/platform/src/create-api-key.ts \
 *     --org acme [--org-name "Acme Dental"] [--name admin] [--scopes admin] [--clinic <uuid>]
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      org: { type: 'string' },
      'org-name': { type: 'string' },
      name: { type: 'string', default: 'admin' },
      scopes: { type: 'string', default: 'admin' },
      clinic: { type: 'string' },
    },
  });
  const url = process.env['DATABASE_URL'];
  if (!url || !values.org)
    throw new Error('usage: DATABASE_URL=... create-api-key.ts --org <slug> [--scopes read,write]');
  const scopes = values.scopes.split(',').map((s) => s.trim()) as ApiScope[];
  const bad = scopes.filter((s) => !API_SCOPES.includes(s));
  if (bad.length) throw new Error(`unknown scopes ${bad.join(', ')}; use ${API_SCOPES.join(', ')}`);

  const prisma = createPrismaClient(url, 1);
  try {
    const { tenantId } = await ensureOrganization(prisma, values.org, values['org-name'] ?? values.org);
    const { key, row } = await issueApiKey(prisma, tenantId, { name: values.name, scopes, clinicId: values.clinic });
    console.log(`API key ${row.prefix} for ${values.org} (${scopes.join(', ')}); shown once:\n${key}`);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
