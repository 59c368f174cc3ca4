/**
 * Synthetic check: GET https://<rest api id>.execute-api.<region>.amazonaws.com/<stage>/health must answer 200.
 * The API id is read from SSM at run time (not at deploy time): the api stack deploys after the
 * observability stack, whose alarm topics it publishes to. Until the API exists, the check fails (and says why).
 * Runs on the syn-nodejs-puppeteer runtime (Synthetics modules and AWS SDK v3 are part of it).
 */
const synthetics = require('Synthetics');
const log = require('SyntheticsLogger');
const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');

const ssm = new SSMClient({});

async function readApiId(parameterName) {
  const out = await ssm.send(new GetParameterCommand({ Name: parameterName }));
  const id = out.Parameter && out.Parameter.Value;
  if (!id) throw new Error(`SSM parameter ${parameterName} holds no API id`);
  return id;
}

function expectOk(response) {
  return new Promise((resolve, reject) => {
    let body = '';
    response.on('data', (chunk) => (body += chunk));
    response.on('end', () => {
      if (response.statusCode === 200) resolve();
      else reject(new Error(`GET /health answered ${response.statusCode}: ${body.slice(0, 200)}`));
    });
    response.on('error', reject);
  });
}

exports.handler = async () => {
  const env = process.env;
  const id = await readApiId(env.API_ID_PARAMETER);
  const hostname = `${id}.execute-api.${env.AWS_REGION}.amazonaws.com`;
  const path = `/${env.API_STAGE}${env.HEALTH_PATH}`;
  log.info(`checking https://${hostname}${path}`);
  await synthetics.executeHttpStep('GET /health', { hostname, method: 'GET', path, port: 443, protocol: 'https:', headers: { 'User-Agent': synthetics.getCanaryUserAgentString() } }, expectOk);
};
