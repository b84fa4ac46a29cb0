import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// Connectors are the sources' own code: they may use Debrief's domain types and pure helpers,
// never its services, stores or integrations (those take connectors as parameters instead).
describe('connectors/ imports', () => {
  const root = resolve('connectors');
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : files(join(dir, e.name));
    return e.name.endsWith('.ts') ? [join(dir, e.name)] : [];
  });

  it('when a connector file imports from the repository, then it is from connectors/ or src/domain/', () => {
    const outside: string[] = [];
    for (const file of files(root)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']*)'/g)) {
        const target = relative(resolve('.'), resolve(file, '..', m[1]!));
        if (!target.startsWith('connectors/') && !target.startsWith('src/domain/')) outside.push(`${relative(resolve('.'), file)} -> ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
