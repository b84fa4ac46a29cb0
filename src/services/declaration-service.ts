import type { Correlator } from '../domain/correlation/correlator';
import type { DeclarationChange } from '../domain/declared-incident';
import type { Incident, IncidentDeclaration } from '../domain/incident';
import type { ServiceLabels } from '../domain/service-naming';
import { ValidationError } from '../errors';
import type { DeclarationStore } from '../store/store';

export interface DeclarationServiceDeps {
  store: DeclarationStore;
  correlator: Correlator;
  serviceLabels: ServiceLabels;
  clock: () => Date;
}

/** What a person declares (the API body, validated). */
export type NewDeclaration = Omit<IncidentDeclaration, 'declaredBy' | 'declaredAt'>;

/** Declared times may run ahead of this server's clock by this much (another machine's clock). */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Incidents declared by hand: a customer reported an outage no alert did. The store opens it
 * atomically with its timeline and audit entry; from then on it is an incident like any other
 * (report, post-mortem policy, measures, corrections).
 */
export class DeclarationService {
  constructor(private readonly deps: DeclarationServiceDeps) {}

  async declare(input: NewDeclaration, actor: string): Promise<Incident> {
    const now = this.deps.clock();
    this.assertNotFuture(input.startedAt, 'body.start', now);
    if (input.endedAt) this.assertNotFuture(input.endedAt, 'body.end', now);
    const declaration: IncidentDeclaration = {
      title: input.title, services: [...new Set(input.services)], severity: input.severity, startedAt: input.startedAt, endedAt: input.endedAt,
      missedByMonitoring: input.missedByMonitoring, declaredBy: actor, declaredAt: now.toISOString(),
    };
    return this.deps.store.declareIncident(declaration, { now: now.toISOString(), serviceLabels: this.deps.serviceLabels });
  }

  async change(incidentId: string, change: DeclarationChange, actor: string): Promise<Incident> {
    const now = this.deps.clock();
    if (change.startedAt) this.assertNotFuture(change.startedAt, 'body.start', now);
    if (change.endedAt) this.assertNotFuture(change.endedAt, 'body.end', now);
    const services = change.services ? [...new Set(change.services)] : undefined;
    return this.deps.store.changeDeclaration(incidentId, { ...change, services }, {
      actor, now: now.toISOString(), reason: null, serviceLabels: this.deps.serviceLabels, correlator: this.deps.correlator,
    });
  }

  private assertNotFuture(at: string, path: string, now: Date): void {
    if (Date.parse(at) > now.getTime() + CLOCK_SKEW_MS) throw new ValidationError('an incident cannot be declared in the future', [{ path, message: `${at} is in the future` }]);
  }
}
