import type { ActionItem } from '../report/report-model';
import type { TrackerIssueDraft } from './tracker';
import { assigneeFor } from './tracker-link';

/** What one tracker is configured to put on every issue. */
export interface IssueDraftSettings {
  labels: readonly string[];
  /** Action item owner -> tracker account. */
  assignees: Readonly<Record<string, string>>;
}

/**
 * The issue Debrief asks a tracker to make for an action item (pure): the item's title; a body
 * naming the incident, linking the post-mortem's page (absolute, from the configured public
 * URL) and saying who owns it by when; the configured labels; the owner's mapped account.
 */
export function issueDraftFor(
  item: ActionItem,
  incident: { id: string; title: string },
  postmortemUrl: string,
  settings: IssueDraftSettings,
): TrackerIssueDraft {
  const facts = [
    item.owner ? `Owner in Debrief: ${item.owner}` : null,
    item.dueDate ? `Due: ${item.dueDate}` : null,
  ].filter((line): line is string => line !== null);
  const body = [
    `Prevention action item from the post-mortem of the incident "${oneLine(incident.title)}" (${incident.id}).`,
    '',
    `Post-mortem: ${postmortemUrl}`,
    ...(facts.length > 0 ? ['', ...facts] : []),
    '',
    'Closing this issue marks the action item done in Debrief; reopening it opens the item again.',
  ].join('\n');
  return {
    actionItemId: item.id, title: oneLine(item.title), body, postmortemUrl,
    labels: [...settings.labels], assignee: assigneeFor(item.owner, settings.assignees),
  };
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
