import { readFileSync } from 'node:fs';
import { ENV_BINDINGS } from '../../src/config/config.schema';

// The README's configuration table is what operators read: a setting missing there is a
// setting nobody can find.
describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it.each(ENV_BINDINGS.map((b) => [b.env, b.path]))('when %s is a setting, then the configuration table lists it with its key %s', (env, path) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${env}\``));
    expect(row).toBeDefined();
    expect(row).toContain(`\`${path}\``);
  });

  it('when a user sets Debrief up, then the README shows the two commands that CI also runs', () => {
    expect(readme).toContain('`npm ci && npm start`');
    expect(readme).toContain('`npm ci && npm run test:all`');
    expect(readFileSync('.ci/run', 'utf8')).toContain('npm run test:all');
  });
});
