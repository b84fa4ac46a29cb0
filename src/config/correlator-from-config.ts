import type { Config } from './config.schema';
import type { ServiceCatalog } from '../domain/catalog/service-catalog';
import { createCorrelator, type Correlator } from '../domain/correlation/correlator';
import { defaultCorrelationRules } from '../domain/correlation/rule-config';

/**
 * The correlator a configuration describes: `correlation.rules` (or the defaults, whose
 * same-group window is `correlation.groupWindowMinutes`), the catalog, and the service labels
 * of `impact.serviceLabels`. The catalog should already carry `pagerduty.serviceMap`
 * (`ServiceCatalog.withPagerDutyServices`).
 */
export function correlatorFromConfig(config: Pick<Config, 'correlation' | 'impact'>, catalog: ServiceCatalog): Correlator {
  const c = config.correlation;
  return createCorrelator({
    rules: c.rules ?? defaultCorrelationRules(c.groupWindowMinutes),
    catalog,
    serviceLabels: catalog.naming(config.impact.serviceLabels),
    quietPeriodMinutes: c.quietPeriodMinutes,
    reopenWindowMinutes: c.reopenWindowMinutes,
    linkWindowMinutes: c.linkWindowMinutes,
    pagerDutyServiceWindowMinutes: c.pagerDutyServiceWindowMinutes,
    maxTopologyDepth: c.maxTopologyDepth,
    hubDegree: c.hubDegree,
    minScore: c.minScore,
    ongoingOutage: c.ongoingOutage,
  });
}
