'use strict';

// Local-only Serverless plugin: packaging with a `layers:` section asks CloudFormation (describeStacks)
// whether the layer changed since the last deploy, which fails without AWS access. For local stages
// (custom.pybase.localStages) or PYBASE_OFFLINE_PACKAGE=1 it answers "stack does not exist", exactly
// what AWS says before a first deploy, so `serverless package` works offline. Deploys to real stages
// are untouched.
class PyBaseLocalPackaging {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options || {};
    const provider = serverless.getProvider('aws');
    if (!provider || !this.isLocal()) return;
    const request = provider.request.bind(provider);
    provider.request = async (service, method, params, ...rest) => {
      if (service === 'CloudFormation' && method === 'describeStacks') {
        const name = (params && params.StackName) || 'stack';
        const error = new Error(`Stack with id ${name} does not exist`);
        error.code = 'ValidationError';
        throw error;
      }
      return request(service, method, params, ...rest);
    };
  }

  isLocal() {
    if (process.env.PYBASE_OFFLINE_PACKAGE === '1') return true;
    const service = this.serverless.service;
    const custom = (service.custom && service.custom.pybase) || {};
    const stages = custom.localStages || ['local', 'test', 'dev'];
    const stage = this.options.stage || (service.provider && service.provider.stage) || 'local';
    return stages.includes(stage);
  }
}

module.exports = PyBaseLocalPackaging;
