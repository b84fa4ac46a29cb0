import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { seedHostileIncident, seedIncidents, startWebApp } from './support/web-fixtures';

it('dev server', async () => {
  rmSync('/tmp/web-dev-stop', { force: true });
  const app = await startWebApp();
  const seeded = await seedIncidents(app);
  const hostile = await seedHostileIncident(app);
  writeFileSync('/tmp/web-dev.json', JSON.stringify({ url: app.url, seeded, hostile }));
  const until = Date.now() + 25 * 60_000;
  while (!existsSync('/tmp/web-dev-stop') && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
  await app.stop();
}, 30 * 60_000);
