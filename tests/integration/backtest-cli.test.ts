import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { generateHistory, SCALES } from '../../bench/correlation/generate-history';
import { runBacktest } from '../../src/cli/commands/backtest-command';
import { buildProgram } from '../../src/cli/program';
import { firingKey } from '../../src/cli/backtest/ground-truth';
import { formatHistoryLine } from '../../src/cli/backtest/history-file';
import { openStore } from '../../src/store/open-store';

/** A writable that keeps what was written. */
function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
  return { stream, text: () => text };
}

describe('debrief backtest', () => {
  let dir: string;
  let historyFile: string;
  let truthFile: string;
  let catalogFile: string;
  const history = generateHistory(11, SCALES.tiny!);
  const truthFirings = history.truth.incidents.flatMap((i) => i.firings.map((f) => firingKey(f.fingerprint, f.startsAt)));
  // Points the environment at a "live" store the backtest must never create or touch.
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-backtest-'));
    historyFile = join(dir, 'history.jsonl');
    truthFile = join(dir, 'truth.json');
    catalogFile = join(dir, 'services.yaml');
    writeFileSync(historyFile, `${history.lines.map(formatHistoryLine).join('\n')}\n`);
    writeFileSync(truthFile, JSON.stringify(history.truth));
    writeFileSync(catalogFile, history.catalogYaml);
    // An empty config file keeps the tests independent of a config/debrief.yaml in the checkout.
    writeFileSync(join(dir, 'debrief.yaml'), '{}\n');
    env = { DEBRIEF_CONFIG: join(dir, 'debrief.yaml'), DEBRIEF_STORE_URL: `sqlite:${join(dir, 'live', 'debrief.db')}` };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when replaying a generated history with its truth, then every alert is placed once, explained, and the quality figures are printed', async () => {
    const out = capture();
    const err = capture();
    const result = await runBacktest({ history: historyFile, truth: truthFile, catalog: catalogFile, config: undefined, progress: false }, { stdout: out.stream, stderr: err.stream, env });

    expect(result.lines).toBe(history.lines.length);
    const placed = result.incidents.flatMap((i) => i.alerts.map((a) => firingKey(a.fingerprint, a.startsAt)));
    expect(new Set(placed)).toEqual(new Set(truthFirings));
    expect(placed).toHaveLength(truthFirings.length);
    for (const { alerts } of result.incidents) for (const a of alerts) expect(a.decision.explanation.length).toBeGreaterThan(10);

    expect(result.quality!.missingFirings).toBe(0);
    expect(result.quality!.unknownFirings).toBe(0);
    expect(result.quality!.overall.firings).toBe(truthFirings.length);
    expect(result.targets!.map((t) => t.name)).toContain('pairwise F1');

    const text = out.text();
    expect(text).toContain(`Replayed ${history.lines.length} deliveries from ${historyFile}`);
    expect(text).toContain(`${result.incidents.length} incidents from ${truthFirings.length} alerts.`);
    expect(text).toMatch(/Incident 1\/\d+ \[(open|resolved)\] /);
    expect(text).toContain(`      ${result.incidents[0]!.alerts[0]!.decision.explanation}`);
    expect(text).toMatch(/Quality against .*truth\.json:\nkind +firings/);
    expect(text).toMatch(/^(PASS|MISS) {2}pairwise F1 \d\.\d{3} \(>= 0\.9\)$/m);
  });

  it('when replaying, then the live store named by the environment is never created', () => {
    expect(existsSync(join(dir, 'live'))).toBe(false);
  });

  it('when run through the command line with --json, then stdout is one JSON document with incidents and explanations', async () => {
    const out = capture();
    const err = capture();
    await buildProgram({ stdout: out.stream, stderr: err.stream, env })
      .parseAsync(['backtest', '--history', historyFile, '--json', '--no-progress', '--catalog', catalogFile], { from: 'user' });
    const doc = JSON.parse(out.text()) as { lines: number; incidents: Array<{ alerts: Array<{ fingerprint: string; decision: { explanation: string } }> }>; quality: unknown };
    expect(doc.lines).toBe(history.lines.length);
    expect(doc.incidents.reduce((n, i) => n + i.alerts.length, 0)).toBe(truthFirings.length);
    expect(doc.incidents[0]!.alerts[0]!.decision.explanation).toMatch(/\w/);
    expect(doc.quality).toBeNull();
  });

  it('when replaying the same history twice, then the same firings end up together (deterministic)', async () => {
    const sink = capture();
    const groups = async () => {
      const r = await runBacktest({ history: historyFile, catalog: catalogFile, progress: false }, { stdout: sink.stream, stderr: sink.stream, env });
      return r.incidents.map((i) => i.alerts.map((a) => firingKey(a.fingerprint, a.startsAt)).sort().join(',')).sort();
    };
    expect(await groups()).toEqual(await groups());
  });

  it('when a history line is not valid, then the backtest fails naming the line', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${formatHistoryLine(history.lines[0]!)}\n{"receivedAt":"yesterday","instance":"alertmanager","body":{}}\n`);
    const sink = capture();
    await expect(runBacktest({ history: bad, progress: false }, { stdout: sink.stream, stderr: sink.stream, env })).rejects.toThrow(/history line 2: receivedAt/);
  });

  it('when the progress bar is on, then it goes to stderr and stdout stays the report', async () => {
    const out = capture();
    const err = capture();
    await runBacktest({ history: historyFile, json: true, progress: true }, { stdout: out.stream, stderr: err.stream, env });
    expect(err.text()).toContain('backtest |');
    expect(() => JSON.parse(out.text())).not.toThrow();
  });
});

describe('debrief inbox export', () => {
  it('when the inbox holds webhook bodies, then export writes them oldest first as history lines that backtest replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debrief-export-'));
    try {
      const dbFile = join(dir, 'debrief.db');
      const store = openStore(`sqlite:${dbFile}`);
      await store.init();
      const lines = generateHistory(3, SCALES.tiny!).lines.slice(0, 25);
      for (const line of lines) {
        await store.appendInbox({
          instance: line.instance, connector: 'alertmanager', receivedAt: line.receivedAt, headers: {}, body: Buffer.from(JSON.stringify(line.body)), deliveryId: null,
        });
      }
      await store.close();

      const outFile = join(dir, 'export.jsonl');
      const err = capture();
      writeFileSync(join(dir, 'debrief.yaml'), '{}\n');
      const env = { DEBRIEF_CONFIG: join(dir, 'debrief.yaml'), DEBRIEF_STORE_URL: `sqlite:${dbFile}` };
      await buildProgram({ stdout: capture().stream, stderr: err.stream, env }).parseAsync(['inbox', 'export', '--out', outFile], { from: 'user' });
      const exported = readFileSync(outFile, 'utf8').trim().split('\n');
      expect(exported).toEqual(lines.map(formatHistoryLine));
      expect(err.text()).toContain('exported 25 inbox entries');

      const out = capture();
      const replayed = await runBacktest({ history: outFile, progress: false }, { stdout: out.stream, stderr: capture().stream, env });
      expect(replayed.lines).toBe(25);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
