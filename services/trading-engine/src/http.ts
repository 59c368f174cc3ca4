/**
 * GET /health (liveness, the load balancer's check: 200 unless the task cannot recover) and GET /ready
 * (readiness: in the consumer group, database answering, trading allowed, not draining). Health never
 * depends on the database or Kafka: an outage of either must not make ECS replace every task at once.
 */
import { createServer, type Server } from 'node:http';
import type { TradingEngine } from './engine';

export function healthServer(engine: Pick<TradingEngine, 'isHealthy' | 'readiness' | 'currentState'>): Server {
  return createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'method not allowed' });
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      const healthy = engine.isHealthy();
      return reply(healthy ? 200 : 503, { status: healthy ? 'ok' : 'failed', state: engine.currentState });
    }
    if (path === '/ready') {
      engine.readiness().then(
        (r) => reply(r.ready ? 200 : 503, r),
        (e) => reply(503, { ready: false, error: String(e) }),
      );
      return;
    }
    reply(404, { error: `no route ${path}` });
  });
}
