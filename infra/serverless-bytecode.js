'use strict';

// Serverless plugin: before the functions are zipped, compile shared/pybase and functions/ to CPython
// 3.11 bytecode (Lambda's runtime). /var/task is read-only on Lambda, so a package without it
// compiles every PyBase module from source at each cold start (about 390 ms of CPU for the records
// function). Checked hash-based pycs: valid whatever timestamps the zip keeps, and still safe in the
// working tree, where an edited module's hash no longer matches and Python compiles it again.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const RUNTIME = '3.11';

class PyBaseBytecode {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.compile(),
    };
  }

  log(message) {
    process.stderr.write(`pybase bytecode: ${message}\n`);
  }

  compile() {
    const root = this.serverless.serviceDir || process.cwd();
    const venv = path.join(root, '.venv', 'bin', 'python');
    const python = fs.existsSync(venv) ? venv : 'python3';
    const version = spawnSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      cwd: root,
      encoding: 'utf8',
    });
    const found = (version.stdout || '').trim();
    if (version.status !== 0 || found !== RUNTIME) {
      // Bytecode of another version would be ignored on Lambda: ship sources only.
      this.log(`no bytecode shipped (${python} is ${found || 'missing'}, Lambda runs ${RUNTIME})`);
      return;
    }
    const result = spawnSync(
      python,
      ['-m', 'compileall', '-q', '-f', '-j', '0', '--invalidation-mode', 'checked-hash', 'shared/pybase', 'functions'],
      { cwd: root, encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new Error(`compiling PyBase to bytecode failed:\n${result.stdout}${result.stderr}`);
    }
  }
}

module.exports = PyBaseBytecode;
