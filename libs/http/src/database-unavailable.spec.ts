import { HttpStatus } from '@nestjs/common';
import { isDatabaseUnavailable } from './database-unavailable';
import { toErrorBody } from './error-filter';

// The shapes below are what Prisma 7 with @prisma/adapter-pg and pg actually threw against a real
// PostgreSQL that was stopped or saturated (tried by hand; the e2e fault spec covers the stopped case).
const busy = {
  name: 'PrismaClientKnownRequestError',
  code: 'P2028',
  message: 'Transaction API error: Unable to start a transaction in the given time.',
};
const unreachable = { code: 'P1001', message: "Can't reach database server at 127.0.0.1:5432" };
const rawUnreachable = {
  code: 'P2010',
  meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable' } } },
};
// createPgPool marks what its queries throw; the same socket error from S3 or Redis is not marked.
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
  code: 'ECONNREFUSED',
  fromDatabase: true,
});
const poolTimeout = new Error('timeout exceeded when trying to connect');
const shuttingDown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['no transaction slot within maxWait', busy],
    ['server unreachable', unreachable],
    ['raw query, server unreachable', rawUnreachable],
    ['connection refused (pg)', refused],
    ['pg pool time-out', poolTimeout],
    ['server shutting down', shuttingDown],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', { code: 'P2002' }],
    [
      'a raw query error of another kind',
      { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'UnsupportedNativeDataType' } } } },
    ],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a refused connection to S3 or Redis', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    [
      'an expired transaction (a bug: too slow)',
      { code: 'P2028', message: 'Transaction API error: Transaction already closed' },
    ],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('turns into a 503 with a stable code, and a bug still into a 500', () => {
    expect(toErrorBody(busy)).toMatchObject({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      code: 'database_unavailable',
    });
    expect(toErrorBody(new Error('bug'))).toMatchObject({ statusCode: 500, code: 'internal_error' });
  });
});
