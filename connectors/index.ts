import { alertmanagerConnector } from './alertmanager/alertmanager.connector';
import type { Connector } from './connector';
import { pagerdutyConnector } from './pagerduty/pagerduty.connector';

/** Every connector Debrief ships, listed explicitly: the core finds sources only here. */
export const connectors: readonly Connector[] = [alertmanagerConnector as Connector, pagerdutyConnector as Connector];

export const connectorsById: ReadonlyMap<string, Connector> = new Map(connectors.map((connector) => [connector.id, connector]));

export type { Connector } from './connector';
