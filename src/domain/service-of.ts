/** The affected service named by an alert: the first configured label present, else null. */
export function serviceOf(labels: Record<string, string>, serviceLabels: readonly string[]): string | null {
  for (const name of serviceLabels) {
    const v = labels[name];
    if (v) return v;
  }
  return null;
}
