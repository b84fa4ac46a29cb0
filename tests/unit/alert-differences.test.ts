import { differingLabelNames, distinguishingLabels, labelsSettingApart, labelsText, orderLabelNames } from '../../src/domain/alert-differences';

const alert = (id: string, labels: Record<string, string>) => ({ id, labels });
const pod = (id: string, p: string, extra: Record<string, string> = {}) =>
  alert(id, { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu1', severity: 'critical', pod: p, instance: `10.0.0.${id}:8080`, ...extra });

describe('telling alerts apart', () => {
  it('when three same-named alerts differ only in pod and instance, then those two labels tell each apart, pod first', () => {
    const three = [pod('1', 'checkout-a'), pod('2', 'checkout-b'), pod('3', 'checkout-c')];
    expect(differingLabelNames(three)).toEqual(['pod', 'instance']);
    const apart = distinguishingLabels(three);
    expect(apart.get('2')).toEqual([['pod', 'checkout-b'], ['instance', '10.0.0.2:8080']]);
    expect(labelsText(apart.get('3')!)).toBe('pod=checkout-c, instance=10.0.0.3:8080');
  });

  it('when an alert name is unique in the incident, then it gets no labels: its name tells it apart', () => {
    const apart = distinguishingLabels([pod('1', 'a'), pod('2', 'b'), alert('3', { alertname: 'DiskFull', service: 'checkout', instance: 'node-7' })]);
    expect(apart.has('3')).toBe(false);
    expect(apart.get('1')).toEqual([['pod', 'a'], ['instance', '10.0.0.1:8080']]);
  });

  it('when a label is missing on one alert of a name, then it differs, shown as empty; identical alerts (one firing twice) get none', () => {
    const apart = distinguishingLabels([pod('1', 'a', { region: 'eu' }), pod('2', 'a')].map((a) => ({ ...a, labels: { ...a.labels, instance: 'same' } })));
    expect(apart.get('1')).toEqual([['region', 'eu']]);
    expect(apart.get('2')).toEqual([['region', '']]);
    expect(distinguishingLabels([pod('1', 'a'), { ...pod('1', 'a'), id: '2' }]).size).toBe(0);
  });

  it('when many labels differ, then at most the asked number are given, the identity labels first and the rest by name', () => {
    expect(orderLabelNames(['zeta', 'alpha', 'cluster', 'pod', 'instance'])).toEqual(['pod', 'instance', 'cluster', 'alpha', 'zeta']);
    const busy = [alert('1', { alertname: 'X', a: '1', b: '1', c: '1', pod: 'p1' }), alert('2', { alertname: 'X', a: '2', b: '2', c: '2', pod: 'p2' })];
    expect(distinguishingLabels(busy, 2).get('1')).toEqual([['pod', 'p1'], ['a', '1']]);
  });

  it('when one pod is split off from the others, then its pod (and what else only it has) sets it apart, never a shared label', () => {
    const [a, b, c] = [pod('1', 'checkout-a'), pod('2', 'checkout-b'), pod('3', 'checkout-c')];
    expect(labelsSettingApart([b!], [a!, c!])).toEqual({ pod: 'checkout-b', instance: '10.0.0.2:8080' });
    expect(labelsSettingApart([b!], [a!, c!], 1)).toEqual({ pod: 'checkout-b' });
    // Two alerts of pod b (different names) split off together: pod sets them apart; their names and instances differ.
    const crash = alert('4', { alertname: 'PodCrashLooping', service: 'checkout', cluster: 'eu1', pod: 'checkout-b' });
    expect(labelsSettingApart([b!, crash], [a!, c!])).toEqual({ pod: 'checkout-b' });
  });

  it('when nothing the split-off alerts share is absent from those left, then nothing sets them apart', () => {
    // Pods x and y leave pod x behind: their pods differ, and everything they share, the one left has too.
    expect(labelsSettingApart([pod('1', 'x'), pod('2', 'y')], [pod('3', 'x')])).toEqual({});
    expect(labelsSettingApart([pod('1', 'x')], [])).toEqual({});
  });
});
