import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Alertmanager for the storm comparison: Debian's binary with a temporary config and
 * storage, on a free loopback port, gossip off. Its one receiver has no integration, so what is
 * measured is Alertmanager taking alerts in through `POST /api/v2/alerts` (validation, its
 * in-memory alert store, grouping into aggregation groups), not notifying anyone.
 */

/** Debian names it `prometheus-alertmanager`; upstream builds call it `alertmanager`. */
const CANDIDATES = ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager', '/usr/bin/alertmanager'];

export function findAlertmanager(): string | null {
  for (const file of CANDIDATES) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch { /* next */ }
  }
  return null;
}

export interface AlertmanagerServer { proc: ChildProcess; url: string; peakRssMb: number; version: string; stop(): Promise<void> }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

function ready(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http.get(`${url}/-/ready`, { agent: false, timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode === 200); })
      .on('error', () => resolve(false)).on('timeout', function (this: http.ClientRequest) { this.destroy(); resolve(false); });
  });
}

/** Starts Alertmanager grouping by the storm's group labels; resolves once `/-/ready` answers. */
export async function startAlertmanager(binary: string): Promise<AlertmanagerServer> {
  let lastError = '';
  // The free port is released before Alertmanager binds it; another process may take it first.
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'debrief-bench-alertmanager-'));
    const port = await freePort();
    const config = {
      route: { receiver: 'sink', group_by: ['alertname', 'service', 'cluster'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' },
      receivers: [{ name: 'sink' }],
    };
    // JSON is YAML: no YAML writer needed.
    writeFileSync(join(dir, 'alertmanager.yml'), JSON.stringify(config));
    mkdirSync(join(dir, 'data'));
    const proc = spawn(binary, [
      `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, `--web.external-url=http://127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn',
    ], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while (proc.exitCode === null && Date.now() < deadline && !(await ready(url))) await new Promise((r) => setTimeout(r, 100));
    const stop = async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    };
    if (proc.exitCode === null && (await ready(url))) {
      const version = await new Promise<string>((resolve) => {
        http.get(`${url}/api/v2/status`, { agent: false }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => { text += c.toString(); });
          res.on('end', () => { try { resolve(String((JSON.parse(text) as { versionInfo?: { version?: string } }).versionInfo?.version ?? '?')); } catch { resolve('?'); } });
        }).on('error', () => resolve('?'));
      });
      return { proc, url, peakRssMb: 0, version, stop };
    }
    lastError = stderr;
    await stop();
  }
  throw new Error(`Alertmanager did not start: ${lastError}`);
}
