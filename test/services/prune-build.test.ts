import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneBuild } from '../../services/prune-build';

describe('pruneBuild', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'prune-build-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const touch = (path: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
  };

  it('removes the output of a module moved into a folder of its name, and keeps the rest', () => {
    touch('src/bot/commands/index.ts');
    touch('src/bot/desk-bot.ts');
    for (const f of [
      'bot/commands.js',
      'bot/commands.js.map',
      'bot/commands/index.js',
      'bot/desk-bot.js',
      'bot/desk-bot.js.map',
    ])
      touch(`dist/${f}`);
    touch('dist/bot/cards/order.json');
    const removed = pruneBuild(join(root, 'dist'), join(root, 'src'));
    expect(removed.map((p) => p.slice(root.length + 1)).sort()).toEqual([
      'dist/bot/commands.js',
      'dist/bot/commands.js.map',
    ]);
    for (const kept of ['bot/commands/index.js', 'bot/desk-bot.js', 'bot/desk-bot.js.map', 'bot/cards/order.json'])
      expect(existsSync(join(root, 'dist', kept))).toBe(true);
  });

  it('does nothing when there is no output yet', () => {
    expect(pruneBuild(join(root, 'dist'), root)).toEqual([]);
  });
});
