'use strict';

// Where the deployed functions' secrets come from (serverless.yml: ${file(./infra/serverless-secrets.js):jwtSecret}).
//
// 1. The environment of the shell or CI that runs serverless (PYBASE_JWT_SECRET, DATABASE_URL, REDIS_URL).
// 2. Otherwise SSM Parameter Store, SecureString parameters /pybase/<stage>/jwt-secret, .../database-url,
//    .../redis-url, read at package/deploy time with the deployer's AWS credentials.
// 3. Empty only for local stages when nothing is built for AWS: `serverless offline` and `print` (the
//    functions then use their local defaults, which they refuse on Lambda), or a package made explicitly
//    for local checks with PYBASE_LOCAL_PACKAGE=1 (`make package LOCAL_PACKAGE=1`, the packaging test).
//
// So `serverless package`/`deploy` fail without a real secret, whatever the stage is called, and a
// package built with PYBASE_LOCAL_PACKAGE=1 still cannot run on Lambda (the functions refuse to start).

const LOCAL_STAGES = ['local', 'test', 'dev'];
const BUILD_COMMANDS = ['package', 'deploy'];
const MIN_SECRET_BYTES = 32;

function command() {
  // `serverless <command> [subcommand] [--options]`: the first word after the script.
  return process.argv.slice(2).find((arg) => !arg.startsWith('-')) || '';
}

async function resolve(envName, parameter, { resolveVariable }, check) {
  const fromEnv = process.env[envName];
  if (fromEnv) {
    check(fromEnv, envName);
    return fromEnv;
  }
  const stage = await resolveVariable('sls:stage');
  const local = LOCAL_STAGES.includes(stage);
  if (local && (!BUILD_COMMANDS.includes(command()) || process.env.PYBASE_LOCAL_PACKAGE === '1')) return '';
  const path = `/pybase/${stage}/${parameter}`;
  let value;
  try {
    value = await resolveVariable(`ssm:${path}`);
  } catch (error) {
    // The ssm source is resolved in a later phase (after AWS credentials): let serverless come back.
    if (error.code === 'MISSING_VARIABLE_DEPENDENCY') throw error;
    throw new Error(
      `${envName} is not set and SSM parameter ${path} could not be read (${error.message.split('\n')[0]}). ` +
        `Set ${envName}, or create the SecureString parameter ${path}` +
        (local ? ', or build a local-only package with PYBASE_LOCAL_PACKAGE=1 (make package LOCAL_PACKAGE=1).' : '.')
    );
  }
  if (!value) throw new Error(`SSM parameter ${path} is empty; set it or ${envName}.`);
  check(value, path);
  return value;
}

function longSecret(value, where) {
  if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) {
    throw new Error(`${where} must be a random secret of at least ${MIN_SECRET_BYTES} bytes.`);
  }
}

function anything() {}

function ecrImageWithDigest(value, where) {
  if (!/^\d+\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[^@]+@sha256:[a-f0-9]{64}$/.test(value)) {
    throw new Error(`${where} must be an ECR image URI with its digest (<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:...).`);
  }
}

// Local stages build nothing that runs on Lambda: a well-formed URI that names no real image.
const LOCAL_IMAGE_URI = `000000000000.dkr.ecr.us-east-1.amazonaws.com/pybase-extract-image@sha256:${'0'.repeat(64)}`;

module.exports = {
  jwtSecret: (api) => resolve('PYBASE_JWT_SECRET', 'jwt-secret', api, longSecret),
  databaseUrl: (api) => resolve('DATABASE_URL', 'database-url', api, anything),
  redisUrl: (api) => resolve('REDIS_URL', 'redis-url', api, anything),
  // The extractimage function's container image (IFC); not a secret, resolved the same way.
  extractImageUri: async (api) =>
    (await resolve('PYBASE_EXTRACT_IMAGE_URI', 'extract-image-uri', api, ecrImageWithDigest)) || LOCAL_IMAGE_URI,
};
