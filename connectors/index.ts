import type { z } from 'zod';
import { alertmanagerConnector } from './alertmanager/alertmanager.connector';
import { changesConnector } from './changes/changes.connector';
import type { Connector } from './connector';
import { githubIssuesConnector } from './github-issues/github-issues.connector';
import { jiraConnector } from './jira/jira.connector';
import { pagerdutyConnector } from './pagerduty/pagerduty.connector';

/**
 * Every connector Debrief ships, by id, listed explicitly: the core finds sources only here.
 * The configuration takes its `instances[].connector` values and each instance's credential
 * schema from this list.
 */
export const connectorRegistry = {
  alertmanager: alertmanagerConnector,
  pagerduty: pagerdutyConnector,
  changes: changesConnector,
  'github-issues': githubIssuesConnector,
  jira: jiraConnector,
} as const;

export type ConnectorId = keyof typeof connectorRegistry;

/** What an instance of connector `K` is configured with, as that connector's own schema reads it. */
export type CredentialsOf<K extends ConnectorId> = z.output<(typeof connectorRegistry)[K]['credentialsSchema']>;

export const connectorIds = Object.keys(connectorRegistry) as [ConnectorId, ...ConnectorId[]];

for (const id of connectorIds) {
  if (connectorRegistry[id].id !== id) throw new Error(`connector registered as "${id}" declares the id "${connectorRegistry[id].id}"`);
}

export const connectors: readonly Connector[] = connectorIds.map((id) => connectorRegistry[id] as Connector);

export const connectorsById: ReadonlyMap<string, Connector> = new Map(connectors.map((connector) => [connector.id, connector]));

export type { Connector } from './connector';
