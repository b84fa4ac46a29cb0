import express from 'express';

/**
 * The ceiling of the ingest benchmark: express on the same machine doing only what every
 * JSON webhook receiver must do (read and parse the body) and answering 202.
 */
const app = express();
app.use(express.json({ limit: '5mb' }));
app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
app.post('/webhooks/:instance', (req, res) => { res.status(202).json({ received: Array.isArray(req.body?.alerts) ? req.body.alerts.length : 0 }); });
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: (server.address() as { port: number }).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
