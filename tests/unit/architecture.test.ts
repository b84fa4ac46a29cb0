import { functionLengths, importCycles, importEdges, layerViolations, sourceFiles, type ImportEdge } from '../support/import-graph';

/**
 * The structure the code promises (docs/architecture.md), held against the code's own imports:
 * arrows point one way, no cycles, no function a reader cannot hold in view.
 */

const files = sourceFiles(['src', 'connectors']);
const edges = importEdges(files);

describe('architecture', () => {
  it('when the import graph is read, then it covers the whole tree (the check is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ from: 'src/app.ts', to: 'src/store/open-stores.ts' });
  });

  it('when every import is checked against the layers, then none points the wrong way', () => {
    expect(layerViolations(edges).map((v) => `${v.edge.from} -> ${v.edge.to}: ${v.rule}`)).toEqual([]);
  });

  it('when the import graph is searched for cycles, then there are none', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  it('when functions are measured, then none is over 120 lines except declarative route tables', () => {
    const routeTable = (name: string) => /Routes$|^routeTable$/.test(name);
    const long = functionLengths(files).filter((f) => f.lines > 120 && !routeTable(f.name));
    expect(long.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`)).toEqual([]);
  });

  // The check must catch the arrows that once pointed the wrong way; each of these existed.
  it.each<[string, ImportEdge]>([
    ['config imported processing', { from: 'src/config/config.schema.ts', to: 'src/ingest/ingest-pressure.ts' }],
    ['the domain imported the Config type', { from: 'src/domain/correlation/correlator-from-config.ts', to: 'src/config/config.schema.ts' }],
    ['a connector imported the outbound HTTP policy', { from: 'connectors/pagerduty/pagerduty.rest.ts', to: 'src/integrations/resilient-http.ts' }],
    ['the inbox worker constructed the SQLite store', { from: 'src/ingest/inbox-worker.ts', to: 'src/store/sqlite/sqlite-store.ts' }],
    ['the app wrapped stores in SQLite decorators', { from: 'src/app.ts', to: 'src/store/sqlite/sqlite-faults.ts' }],
    ['a store reached into the services', { from: 'src/store/sqlite/sqlite-store.ts', to: 'src/services/report-service.ts' }],
    ['processing reached into HTTP', { from: 'src/ingest/accept-webhook.ts', to: 'src/http/security.ts' }],
  ])('when %s, then the check refuses it', (_what, edge) => {
    expect(layerViolations([edge])).not.toEqual([]);
  });

  it('when two files import each other, then the cycle is found', () => {
    expect(importCycles([{ from: 'a.ts', to: 'b.ts' }, { from: 'b.ts', to: 'c.ts' }, { from: 'c.ts', to: 'a.ts' }, { from: 'c.ts', to: 'd.ts' }])).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
