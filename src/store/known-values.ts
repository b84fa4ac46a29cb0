import { KNOWN_VALUES_LIMIT } from './store';

/**
 * Values as `IncidentReads.incidentValues` returns them, whichever engine read them: strings
 * only, none empty, each once, in one order (code units, so both engines agree), at most
 * `KNOWN_VALUES_LIMIT`.
 */
export function knownValues(values: readonly unknown[]): string[] {
  const strings = values.filter((v): v is string => typeof v === 'string' && v !== '');
  return [...new Set(strings)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, KNOWN_VALUES_LIMIT);
}
