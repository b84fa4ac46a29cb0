/** The affected service named by an alert: the first configured label present, else null. */
export function serviceOf(labels: Record<string, string>, serviceLabels: readonly string[]): string | null {
  for (const name of serviceLabels) {
    const value = labels[name];
    if (value) return value;
  }
  return null;
}
