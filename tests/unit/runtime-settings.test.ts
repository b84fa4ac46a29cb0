import { missingRuntimeSettings } from '../../src/runtime-settings';

describe('missingRuntimeSettings (what bin/debrief-server would have set)', () => {
  it('when node was started by the launcher, then nothing is missing', () => {
    expect(missingRuntimeSettings({ MALLOC_ARENA_MAX: '2' }, ['--max-semi-space-size=8'])).toEqual([]);
  });

  it('when node was started directly, then both settings are named', () => {
    expect(missingRuntimeSettings({}, [])).toEqual(['MALLOC_ARENA_MAX', '--max-semi-space-size']);
  });

  it('when an operator set them another way (own arena count, NODE_OPTIONS), then they count as set', () => {
    expect(missingRuntimeSettings({ MALLOC_ARENA_MAX: '4', NODE_OPTIONS: '--max-old-space-size=512 --max-semi-space-size=16' }, [])).toEqual([]);
    expect(missingRuntimeSettings({ MALLOC_ARENA_MAX: '4' }, ['--max-semi-space-size', '16'])).toEqual([]);
    expect(missingRuntimeSettings({ MALLOC_ARENA_MAX: '4', NODE_OPTIONS: '--max-semi-space-size-typo=1' }, [])).toEqual(['--max-semi-space-size']);
  });
});
