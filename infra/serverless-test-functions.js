'use strict';

// TEST STAGE ONLY. Functions that exist only when serverless runs with `--stage test`: a small SQS
// consumer that the end-to-end tests use to check the local SQS event-source poller (batches,
// partial batch failures, crashes, redrive). Every other stage gets no extra function.
module.exports = async ({ options }) => {
  if ((options.stage || 'local') !== 'test') return {};
  const queue = process.env.PYBASE_PROBE_QUEUE || 'pybase-probe';
  return {
    sqsProbe: {
      handler: 'tests/e2e/sqs_probe_handler.handler',
      timeout: 3,
      events: [
        {
          sqs: {
            arn: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
            batchSize: 5,
            functionResponseType: 'ReportBatchItemFailures',
          },
        },
      ],
    },
  };
};
