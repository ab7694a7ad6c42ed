// The renderer's layering (tests/lint.config.js) as a test: the lint rule really refuses a screen importing
// another screen, and a lower layer importing a screen, and lets the allowed directions through.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root, overrideConfigFile: 'tests/lint.config.js' });

async function restricted(file: string, source: string): Promise<string[]> {
  const [res] = await eslint.lintText(source, { filePath: `${root}${file}` });
  return res!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('renderer import boundaries', () => {
  it('refuses a screen importing another screen', async () => {
    expect(await restricted('renderer/src/wall/X.tsx', "import { Header } from '../console/Header';\nexport { Header };\n")).toHaveLength(1);
    expect(await restricted('renderer/src/console/panels/X.tsx', "import { WallStrip } from '../../wall/WallStrip';\nexport { WallStrip };\n")).toHaveLength(1);
    expect(await restricted('renderer/src/evaluator/X.tsx', "import { SidePanel } from '../console/SidePanel';\nexport { SidePanel };\n")).toHaveLength(1);
  });

  it('refuses state/, common/ and map/ importing a screen or the shell', async () => {
    expect(await restricted('renderer/src/state/X.ts', "import { Console } from '../console/Console';\nexport { Console };\n")).toHaveLength(1);
    expect(await restricted('renderer/src/common/X.tsx', "import { MapWall } from '../wall/MapWall';\nexport { MapWall };\n")).toHaveLength(1);
    expect(await restricted('renderer/src/map/X.ts', "import { App } from '../app/App';\nexport { App };\n")).toHaveLength(1);
  });

  it('lets screens use the layers below them, and the shell pick a screen', async () => {
    expect(await restricted('renderer/src/wall/X.tsx', "import { clock } from '../common/format';\nimport { select } from '../state/selection';\nexport { clock, select };\n")).toEqual([]);
    expect(await restricted('renderer/src/app/X.tsx', "import { Console } from '../console/Console';\nexport { Console };\n")).toEqual([]);
  });

  it('keeps the older rules: no main/ and no node built-ins in the renderer', async () => {
    expect(await restricted('renderer/src/console/X.ts', "import { x } from '../../../main/hub/x';\nexport { x };\n")).toHaveLength(1);
    expect(await restricted('renderer/src/state/X.ts', "import fs from 'node:fs';\nexport { fs };\n")).toHaveLength(1);
  });
});
