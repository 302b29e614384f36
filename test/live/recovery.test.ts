import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/backtest/market.js';
import { NS_PER_SECOND } from '../../src/core/types.js';
import { hashPassword } from '../../src/fix/auth.js';
import { loadDictionary } from '../../src/fix/dictionary.js';
import { FixInitiator } from '../../src/fix/initiator.js';
import type { Received } from '../../src/fix/session.js';
import { FileStore } from '../../src/fix/store.js';
import { parseRouterConfig } from '../../src/live/config.js';
import { OMS_EXTENSION, RouterService } from '../../src/live/service.js';
import { VenueSimulator } from '../../src/live/venues.js';

const until = async (cond: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('a crash between the journal and the session', () => {
  it('outputs the journal holds and the session never got are handed over on restart, in order', async () => {
    const sim = new VenueSimulator({ market: resolveScenario('default'), seed: 8, speed: 10 });
    await sim.start();
    const dir = mkdtempSync(join(tmpdir(), 'sor-recovery-'));
    const password = randomBytes(12).toString('hex');
    const config = parseRouterConfig(sim.routerConfig({ passwordHash: hashPassword(password), journalDir: join(dir, 'state'), sync: 'os' }));
    const dict = await loadDictionary('FIX44', OMS_EXTENSION);
    const got: Received[] = [];
    const omsClient = (port: number) =>
      new FixInitiator(
        { beginString: 'FIX.4.4', senderCompID: 'OMS1', targetCompID: 'SOR', dictionary: dict, credentials: { username: 'desk', password } },
        (m) => void got.push(m),
        { port },
        new FileStore(join(dir, 'oms'), 'oms'),
      );
    let service = new RouterService(config);
    await service.start();
    let oms = omsClient(service.omsPort);
    await oms.start();
    const now = sim.clock.now();
    oms.session.send('D', [
      ['11', 'K1'],
      ['21', '1'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', sim.clock.fix(now)],
      ['38', '5000'],
      ['40', '1'],
      ['126', sim.clock.fix(now + 120 * NS_PER_SECOND)],
    ]);
    await until(() => got.filter((m) => m.type === '8' && m.map.get('150') === 'F').length >= 2);
    await oms.stop(300);
    await service.stop();
    // the crash: the router's last two reports reached its journal, not its OMS session (nor, then, the OMS)
    const storeFile = join(dir, 'state', 'oms-OMS1.fixlog');
    const lines = readFileSync(storeFile, 'utf8').trimEnd().split('\n');
    const app = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('S ') && JSON.parse(l.slice(l.indexOf(' ', 2) + 1)).type === '8');
    const cut = app[app.length - 2]![1];
    const lost = lines.slice(cut).filter((l) => l.startsWith('S ') && JSON.parse(l.slice(l.indexOf(' ', 2) + 1)).type === '8');
    expect(lost).toHaveLength(2);
    const lostExecIds = lost.map((l) => new Map(JSON.parse(l.slice(l.indexOf(' ', 2) + 1)).body as [string, string][]).get('17'));
    const firstLostSeq = Number(lines[cut]!.split(' ')[1]);
    writeFileSync(storeFile, lines.slice(0, cut).join('\n') + '\n');
    appendFileSync(join(dir, 'oms', 'oms.fixlog'), `T ${firstLostSeq}\n`);
    got.length = 0;
    // the restart: both are handed to the session, then the OMS is told where the parent stands
    service = new RouterService(config);
    await service.start();
    expect(service.recovery.handedOverLate).toBe(2); // (tested without: the two never reach the OMS)
    oms = omsClient(service.omsPort);
    await oms.start();
    await until(() => got.some((m) => m.type === '8' && m.map.get('150') === 'I'));
    const reports = got.filter((m) => m.type === '8');
    expect(reports.slice(0, 2).map((m) => m.map.get('17'))).toEqual(lostExecIds);
    expect(reports.slice(0, 2).map((m) => Number(m.map.get('34')))).toEqual([firstLostSeq, firstLostSeq + 1]);
    // nothing else was sent twice: every ExecID the OMS has now, once
    const ids = reports.map((m) => m.map.get('17'));
    expect(new Set(ids).size).toBe(ids.length);
    await oms.stop(300);
    await service.stop();
    await sim.stop();
  }, 60_000);
});
