import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config/load-config';
import { loadServiceCatalog } from '../../src/config/load-service-catalog';
import { CatalogError, ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import { defaultCorrelationRules } from '../../src/domain/correlation/rule-config';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CatalogError) return err.problems;
    throw err;
  }
  throw new Error('expected a configuration error');
};

describe('service catalog', () => {
  const shop = ServiceCatalog.create([
    { name: 'frontend', team: 'web', customerFacing: true, dependsOn: ['checkout'] },
    { name: 'checkout', team: 'payments', customerFacing: true, dependsOn: ['orders', 'payments-api'] },
    { name: 'billing', team: 'payments', dependsOn: ['orders'] },
    { name: 'orders', team: 'orders', dependsOn: ['orders-db'] },
    { name: 'orders-db', team: 'dba' },
    { name: 'payments-api', team: 'payments', pagerdutyServices: ['PPAY1'] },
  ]);

  it('when dependsOn names services the catalog lacks, then every unknown name is listed', () => {
    const problems = problemsOf(() => ServiceCatalog.create([
      { name: 'checkout', dependsOn: ['orders', 'ledger'] },
      { name: 'api', dependsOn: ['auth'] },
    ]));
    expect(problems).toEqual([
      'services.checkout.dependsOn: unknown services "orders", "ledger" (add them to the catalog)',
      'services.api.dependsOn: unknown services "auth" (add them to the catalog)',
    ]);
  });

  it('when a name repeats, a service depends on itself or a PagerDuty service is mapped twice, then each is a problem', () => {
    const problems = problemsOf(() => ServiceCatalog.create([
      { name: 'a', dependsOn: ['a'], pagerdutyServices: ['P1'] },
      { name: 'a' },
      { name: 'b', pagerdutyServices: ['P1'] },
    ]));
    expect(problems).toEqual(expect.arrayContaining([
      'services.a: the name is listed twice',
      'services.a.dependsOn: a service cannot depend on itself',
      'services.b.pagerdutyServices: "P1" is already mapped to "a"',
    ]));
  });

  it('when related services are asked for, then dependency chains count in call direction and siblings are not related', () => {
    expect(shop.related('orders-db', 1)).toEqual([{ service: 'orders', path: ['orders', 'orders-db'], hops: 1 }]);
    expect(shop.related('orders-db', 2).map((r) => [r.service, r.path.join(' -> ')])).toEqual([
      ['orders', 'orders -> orders-db'],
      ['billing', 'billing -> orders -> orders-db'],
      ['checkout', 'checkout -> orders -> orders-db'],
    ]);
    // checkout and billing share orders, but neither calls the other.
    expect(shop.related('checkout', 3).map((r) => r.service)).not.toContain('billing');
    expect(shop.related('checkout', 1).map((r) => r.service)).toEqual(['frontend', 'orders', 'payments-api']);
    expect(shop.related('unknown', 2)).toEqual([]);
  });

  it('when the impact list asks, then customerFacing comes from the catalog and unknown services are null', () => {
    expect(shop.customerFacing('checkout')).toBe(true);
    expect(shop.customerFacing('orders')).toBe(false);
    expect(shop.customerFacing('nope')).toBeNull();
  });

  it('when PagerDuty services are mapped in the file and in pagerduty.serviceMap, then both map, the config winning', () => {
    const c = shop.withPagerDutyServices({ PCHK: 'checkout', PPAY1: 'billing' });
    expect(c.serviceForPagerDuty('PCHK', null)).toBe('checkout');
    expect(c.serviceForPagerDuty('PPAY1', null)).toBe('billing');
    expect(shop.serviceForPagerDuty(null, 'PPAY1')).toBe('payments-api');
    expect(c.isPaged('checkout')).toBe(true);
    expect(shop.isPaged('checkout')).toBe(false);
  });

  describe('catalog file', () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'debrief-catalog-')); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('when no file is configured and config/services.yaml is absent, then the catalog is empty', () => {
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        expect(loadServiceCatalog(null).size).toBe(0);
      } finally {
        process.chdir(cwd);
      }
    });

    it('when a configured file does not exist, then start-up fails naming catalog.file', () => {
      expect(problemsOf(() => loadServiceCatalog(join(dir, 'nope.yaml')))).toEqual([`catalog.file (env DEBRIEF_CATALOG_FILE): ${join(dir, 'nope.yaml')} does not exist`]);
    });

    it('when the file has unknown dependsOn names and unknown keys, then every problem is listed with the file', () => {
      const file = join(dir, 'services.yaml');
      writeFileSync(file, 'services:\n  - name: checkout\n    dependsOn: [orders]\n  - name: billing\n    owner: me\n');
      const problems = problemsOf(() => loadServiceCatalog(file));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`catalog.file ${file}: services.1`);
      writeFileSync(file, 'services:\n  - name: checkout\n    dependsOn: [orders, ledger]\n');
      expect(problemsOf(() => loadServiceCatalog(file))).toEqual([`catalog.file ${file}: services.checkout.dependsOn: unknown services "orders", "ledger" (add them to the catalog)`]);
    });

    it('when the file is valid, then its services, teams and dependencies are loaded', () => {
      const file = join(dir, 'services.yaml');
      writeFileSync(file, 'services:\n  - { name: checkout, team: payments, customerFacing: true, dependsOn: [orders] }\n  - { name: orders, team: orders }\n');
      const c = loadServiceCatalog(file);
      expect(c.get('checkout')).toEqual({ name: 'checkout', team: 'payments', customerFacing: true, dependsOn: ['orders'], pagerdutyServices: [], repositories: [], match: [] });
      expect(c.related('orders', 1)[0]!.path).toEqual(['checkout', 'orders']);
    });
  });
});

describe('correlation config', () => {
  const load = (correlation: Record<string, unknown>, env: Record<string, string> = {}) => loadConfig({ file: null, env, overrides: { correlation } });

  it('when nothing is configured, then the documented defaults apply', () => {
    const c = load({}).correlation;
    expect(c).toEqual({
      groupWindowMinutes: 30, quietPeriodMinutes: 5, reopenWindowMinutes: 30, linkWindowMinutes: 30, pagerDutyServiceWindowMinutes: 15,
      maxTopologyDepth: 3, minScore: 0.25,
      ongoingOutage: { unresolvedPages: true, criticalAlerts: true, criticalSeverities: ['critical', 'crit', 'page', 'emergency', 'fatal', 'p1', 'sev1'], maxSpanHours: 48 },
    });
    expect(defaultCorrelationRules(c.groupWindowMinutes).map((r) => [r.name, r.kind, r.windowMinutes])).toEqual([
      ['same-alertmanager-group', 'group', 30],
      ['same-service', 'labels', 10],
      ['service-dependencies', 'topology', 15],
      ['named-dependency', 'reference', 15],
      ['same-service-any-cluster', 'labels', 10],
    ]);
  });

  it('when ongoingOutage is configured, then it is read, and a span beyond a week or an unknown key is refused with its path', () => {
    expect(load({ ongoingOutage: { criticalAlerts: false, maxSpanHours: 72, criticalSeverities: ['P0'] } }).correlation.ongoingOutage)
      .toEqual({ unresolvedPages: true, criticalAlerts: false, criticalSeverities: ['P0'], maxSpanHours: 72 });
    expect(load({ ongoingOutage: { maxSpanHours: 168 } }).correlation.ongoingOutage.maxSpanHours).toBe(168);
    expect(problemsOf(() => load({ ongoingOutage: { maxSpanHours: 169 } })).join('\n')).toContain('correlation.ongoingOutage.maxSpanHours');
    expect(problemsOf(() => load({ ongoingOutage: { maxSpanHours: 0 } })).join('\n')).toContain('correlation.ongoingOutage.maxSpanHours');
    expect(problemsOf(() => load({ ongoingOutage: { forever: true } })).join('\n')).toContain('correlation.ongoingOutage');
  });

  it('when the windows come from the environment, then they are read', () => {
    const c = load({}, { DEBRIEF_CORRELATION_QUIET_PERIOD_MINUTES: '2', DEBRIEF_CORRELATION_REOPEN_WINDOW_MINUTES: '45', DEBRIEF_CORRELATION_GROUP_WINDOW_MINUTES: '20' }).correlation;
    expect(c).toMatchObject({ quietPeriodMinutes: 2, reopenWindowMinutes: 45, groupWindowMinutes: 20 });
  });

  it('when rules are given, then they are validated with defaults filled in', () => {
    const c = load({ rules: [
      { name: 'db', match: ['service=~"db-.*"'], sameLabels: ['cluster'], windowMinutes: 10 },
      { name: 'deps', kind: 'topology', hops: 2, windowMinutes: 15, sameLabels: ['cluster?'] },
    ] }).correlation;
    expect(c.rules).toEqual([
      { name: 'db', kind: 'labels', match: ['service=~"db-.*"'], sameLabels: ['cluster'], windowMinutes: 10 },
      { name: 'deps', kind: 'topology', match: [], hops: 2, windowMinutes: 15, sameLabels: ['cluster?'] },
    ]);
  });

  it('when rules are wrong, then every problem is listed with its path', () => {
    const problems = problemsOf(() => load({ rules: [
      { name: 'a', match: ['severity=="x"', 'ok="1"'], sameLabels: ['service'], windowMinutes: 10 },
      { name: 'a', sameLabels: ['cluster?'], windowMinutes: 5 },
      { name: 'b', kind: 'labels', sameLabels: ['service', 'cluster?', 'region?'], windowMinutes: 5, hops: 2 },
      { name: 'Bad Name', kind: 'group', windowMinutes: 0 },
      { name: 'c', kind: 'topology', windowMinutes: 5, extra: true },
    ] }));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^correlation\.rules\.0\.match\.0: "severity=="x"": quote values/),
      'correlation.rules.1.sameLabels: a labels rule needs at least one required label (without `?`) in sameLabels',
      'correlation.rules.2.sameLabels: at most one label may be optional (`?`)',
      'correlation.rules.2.hops: hops applies to topology rules only',
      expect.stringMatching(/^correlation\.rules\.3\.name: lower-case/),
      expect.stringMatching(/^correlation\.rules\.3\.windowMinutes: /),
      expect.stringMatching(/^correlation\.rules\.4: Unrecognized key: "extra"/),
    ]));
  });

  it('when two rules share a name, then that is a problem', () => {
    const problems = problemsOf(() => load({ rules: [
      { name: 'x', sameLabels: ['service'], windowMinutes: 10 },
      { name: 'x', sameLabels: ['cluster'], windowMinutes: 10 },
    ] }));
    expect(problems).toEqual(['correlation.rules.1.name: rule name "x" is used twice']);
  });
});

describe('shipped examples', () => {
  const root = join(__dirname, '../..');

  it('when config/debrief.example.yaml is loaded, then its correlation part is valid and its rules are exactly the defaults', () => {
    const doc = parseYaml(readFileSync(join(root, 'config/debrief.example.yaml'), 'utf8')) as Record<string, unknown>;
    const config = loadConfig({ file: null, env: {}, overrides: { correlation: doc.correlation, catalog: doc.catalog, impact: doc.impact } });
    const { rules, ...settings } = config.correlation;
    expect(rules).toEqual(defaultCorrelationRules());
    expect(settings).toEqual(loadConfig({ file: null, env: {} }).correlation);
  });

  it('when config/services.example.yaml is loaded, then it is a valid catalog', () => {
    const c = loadServiceCatalog(join(root, 'config/services.example.yaml'));
    expect(c.size).toBeGreaterThan(5);
    expect(c.related('orders-db', 2).map((r) => r.path.join(' -> '))).toContain('checkout -> orders -> orders-db');
    expect(c.serviceForPagerDuty('P1CHK42', null)).toBe('checkout');
  });
});
