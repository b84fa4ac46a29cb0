/** (incident id, alert name) pairs as `incidentAlertNames` answers them: distinct names per incident, sorted. */
export function namesByIncident(pairs: ReadonlyArray<readonly [string, string]>): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [id, name] of pairs) (out.get(id) ?? out.set(id, new Set()).get(id)!).add(name);
  return new Map([...out].map(([id, names]) => [id, [...names].sort()]));
}
