import { parseRfc3339 } from '../shared/rfc3339';

/**
 * Jira's timestamps as UTC ISO, or null when the text is not one. Jira writes them with
 * milliseconds and an offset without a colon (`2026-09-27T10:03:11.123+0200`, in the site's
 * default user time zone), which RFC 3339 does not allow, so the colon is put in first.
 */
export function jiraTimeToIso(text: string): string | null {
  const withColon = text.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const parsed = parseRfc3339(withColon);
  return parsed.ok ? parsed.iso : null;
}
