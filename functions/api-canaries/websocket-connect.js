/**
 * Synthetic check: a WebSocket handshake with wss://<websocket api id>.execute-api.<region>.amazonaws.com/<stage>
 * must open within the timeout (then the check closes it). The browser of the syn-nodejs-puppeteer runtime
 * opens the socket, so the check needs no WebSocket package. The API id is read from SSM at run time.
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

/** Runs in the page: resolves 'open', 'error' or 'timeout'. */
function connectOnce(url, timeoutMs) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.close();
      resolve('timeout');
    }, timeoutMs);
    socket.onopen = () => {
      clearTimeout(timer);
      socket.close(1000, 'synthetic check');
      resolve('open');
    };
    socket.onerror = () => {
      clearTimeout(timer);
      resolve('error');
    };
  });
}

exports.connectOnce = connectOnce;

exports.handler = async () => {
  const env = process.env;
  const id = await readApiId(env.API_ID_PARAMETER);
  const url = `wss://${id}.execute-api.${env.AWS_REGION}.amazonaws.com/${env.API_STAGE}`;
  log.info(`connecting to ${url}`);
  await synthetics.executeStep('WebSocket connect', async () => {
    const page = await synthetics.getPage();
    const outcome = await page.evaluate(connectOnce, url, Number(env.CONNECT_TIMEOUT_MS));
    if (outcome !== 'open') throw new Error(`WebSocket ${url}: ${outcome}`);
  });
};
