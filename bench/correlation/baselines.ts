import { firingKey } from '../../src/cli/backtest/ground-truth';
import type { HistoryLine } from '../../src/cli/backtest/history-file';

/**
 * Naive correlations to compare Debrief with, computed straight from the deliveries.
 * Each returns firing key -> incident id, the input of `scoreClustering`.
 */
interface BodyLike {
  groupKey?: string | number;
  status?: string;
  alerts: Array<{ fingerprint?: string; startsAt: string; labels: Record<string, string> }>;
}

/**
 * One incident per Alertmanager group episode: what you get when Alertmanager pages
 * PagerDuty directly (its PagerDuty notifier uses sha256(groupKey) as the dedup key, so a
 * group's alerts pile onto one PagerDuty incident until a notification says all of them
 * resolved; the next firing notification of that group opens a new one).
 */
export function perGroupBaseline(lines: readonly HistoryLine[]): Map<string, string> {
  const out = new Map<string, string>();
  const episode = new Map<string, { n: number; closed: boolean }>();
  for (const line of lines) {
    const body = line.body as BodyLike;
    const group = `${line.instance}|${String(body.groupKey ?? '')}`;
    let e = episode.get(group);
    if (!e) episode.set(group, (e = { n: 1, closed: false }));
    else if (e.closed && body.status === 'firing') { e.n += 1; e.closed = false; }
    const incident = `${group}#${e.n}`;
    for (const a of body.alerts) {
      const key = firingKey(a.fingerprint ?? '', a.startsAt);
      if (!out.has(key)) out.set(key, incident);
    }
    if (body.status === 'resolved') e.closed = true;
  }
  return out;
}

/**
 * One incident per service while its alerts keep starting within `gapMs` of the previous
 * one (single linkage on start times, across clusters); alerts without a service label are
 * incidents of their own.
 */
export function perServiceBaseline(lines: readonly HistoryLine[], gapMs: number, serviceLabels: readonly string[] = ['service', 'app', 'job']): Map<string, string> {
  const firings = new Map<string, { start: number; service: string | null }>();
  for (const line of lines) {
    for (const a of (line.body as BodyLike).alerts) {
      const key = firingKey(a.fingerprint ?? '', a.startsAt);
      if (firings.has(key)) continue;
      const label = serviceLabels.find((l) => a.labels[l]);
      firings.set(key, { start: Date.parse(a.startsAt), service: label ? a.labels[label]! : null });
    }
  }
  const ordered = [...firings].sort((a, b) => a[1].start - b[1].start || a[0].localeCompare(b[0]));
  const current = new Map<string, { id: string; last: number }>();
  const out = new Map<string, string>();
  let n = 0;
  for (const [key, { start, service }] of ordered) {
    if (service === null) { out.set(key, `solo#${n++}`); continue; }
    const c = current.get(service);
    if (c && start - c.last <= gapMs) {
      c.last = start;
      out.set(key, c.id);
    } else {
      const id = `${service}#${n++}`;
      current.set(service, { id, last: start });
      out.set(key, id);
    }
  }
  return out;
}
