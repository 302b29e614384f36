import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveScenario } from '../../src/backtest/market.js';
import { hashPassword } from '../../src/fix/auth.js';
import type { Received } from '../../src/fix/session.js';
import { parseRouterConfig } from '../../src/live/config.js';
import { omsSession, RouterService } from '../../src/live/service.js';
import { startControl } from '../../src/monitor/control.js';
import { VenueSimulator } from '../../src/live/venues.js';
import type { LoadedModels } from '../../src/live/models.js';

/**
 * The live stack on loopback for a test: the default market's venues in real time (speed 10), a router service
 * (rule policy, decisions every 5 s) and an OMS session logged on to it, every message it gets kept in `got`.
 */
export async function liveStack(o: {
  seed: number;
  journalPrefix: string;
  risk?: Record<string, unknown>;
  control?: Record<string, unknown>;
  /** Another policy (and its decision interval), with the models it needs. */
  policy?: { default: string; decisionSeconds: number };
  models?: LoadedModels;
}) {
  const sim = new VenueSimulator({ market: resolveScenario('default'), seed: o.seed, speed: 10 });
  const ends = await sim.start();
  const password = randomBytes(12).toString('hex');
  const fees = sim.fees();
  const service = new RouterService(
    parseRouterConfig({
      symbol: 'GOOG',
      tick: 100,
      oms: { sessions: [{ compId: 'OMS1', username: 'desk', passwordHash: hashPassword(password) }] },
      venues: ends.map((e) => ({ name: e.name, kind: e.kind, port: e.port, ...fees[e.name] })),
      clock: sim.clock.spec,
      policy: o.policy ?? { default: 'rule', decisionSeconds: 5 },
      journal: { dir: mkdtempSync(join(tmpdir(), o.journalPrefix)) },
      ...(o.risk ? { risk: o.risk } : {}),
      ...(o.control ? { control: o.control } : {}),
    }),
    o.models ? { models: o.models } : {},
  );
  await service.start();
  const control = await startControl(service, service.config);
  const got: Received[] = [];
  const oms = await omsSession({ port: service.omsPort, password, onMessage: (m) => void got.push(m) });
  await oms.start();
  return {
    sim,
    service,
    oms,
    got,
    /** The messages for one ClOrdID. */
    reply: (id: string) => got.filter((m) => m.map.get('11') === id),
    stop: async () => {
      await oms.stop(300);
      await control?.close();
      await service.stop();
      await sim.stop();
    },
  };
}

/** Waits until `cond` holds (polled every 10 ms), or throws after `ms`. */
export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
