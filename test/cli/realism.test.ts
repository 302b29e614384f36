import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOOG_DAY, needs, present } from '../helpers/reference-data.js';

describe.skipIf(!present(GOOG_DAY))(needs(GOOG_DAY, 'sor realism'), () => {
  it('sets the synthetic GOOG day beside the real one and reports the metaorder experiment', () => {
    const r = spawnSync(process.execPath, ['bin/sor.js', 'realism', '--scenario', 'default', '--metaorder-seeds', '3', '--exposure-trials', '40', '--json'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const { real, synthetic } = j;
    for (const s of [real, synthetic]) {
      expect(Object.keys(s)).toEqual([
        'minutes',
        'spread_ticks',
        'trade_size',
        'inter_trade_seconds',
        'return_1min',
        'volume_profile',
        'traded_volume',
        'imbalance_next_move',
        'queue_intensities',
      ]);
      // the queue-reactive picture: time in every queue bucket, and rates of each kind
      expect(s.queue_intensities.seconds.every((x: number) => x > 100)).toBe(true);
      for (const k of ['join', 'cancel', 'market']) expect(s.queue_intensities[k].every((x: number) => x > 0)).toBe(true);
      expect(s.imbalance_next_move.edges).toEqual([-1, -0.6, -0.2, 0.2, 0.6, 1]);
      for (const n of s.imbalance_next_move.n) expect(n).toBeGreaterThan(1000);
    }
    // the real day: a larger bid queue than ask queue foretells an up move (the micro-price's premise)
    const up = real.imbalance_next_move.p_up;
    expect(up[4] - up[0]).toBeGreaterThan(0.1);
    expect(j.imbalance_p_up_gap).toHaveLength(5);
    // the real day's round lot, and its trades clustered within milliseconds
    expect(real.trade_size.modes[0]).toEqual({ size: 100, share: expect.any(Number) });
    expect(real.trade_size.modes[0].share).toBeGreaterThan(0.2);
    expect(real.inter_trade_seconds.hawkes.branching).toBeGreaterThan(0.2);
    expect(real.inter_trade_seconds.hawkes.branching).toBeLessThan(1);
    expect(real.inter_trade_seconds.hawkes.decay_s).toBeLessThan(1);
    j.imbalance_p_up_gap.forEach((g: number, b: number) => expect(g).toBeCloseTo(synthetic.imbalance_next_move.p_up[b] - up[b], 3));
    // calibration carries over what it fitted: the intraday profile and the volatility
    const n = Math.min(real.volume_profile.length, synthetic.volume_profile.length);
    const a = real.volume_profile.slice(0, n);
    const b = synthetic.volume_profile.slice(0, n);
    const ma = a.reduce((x: number, y: number) => x + y, 0) / n;
    const mb = b.reduce((x: number, y: number) => x + y, 0) / n;
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (let i = 0; i < n; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    expect(sab / Math.sqrt(saa * sbb)).toBeGreaterThan(0.9);
    expect(synthetic.return_1min.sd_bps / real.return_1min.sd_bps).toBeGreaterThan(0.67);
    expect(synthetic.return_1min.sd_bps / real.return_1min.sd_bps).toBeLessThan(1.5);
    expect(synthetic.inter_trade_seconds.mean / real.inter_trade_seconds.mean).toBeGreaterThan(0.67);
    expect(synthetic.inter_trade_seconds.mean / real.inter_trade_seconds.mean).toBeLessThan(1.5);
    // issue 14's bounds hold for the shipped default on the mean of its four seeds' days (the impact exponent, from
    // 3 seeds a size here, only has to be measured)
    expect(j.seeds).toEqual([1, 2, 3, 4]);
    expect(j.checks).toHaveLength(11);
    for (const c of j.checks) if (!c.statistic.startsWith('impact')) expect([c.statistic, c.pass]).toEqual([c.statistic, true]);
    // most trades come within milliseconds of another, as on the real day, and the book reacts to size shown
    expect(synthetic.inter_trade_seconds.median).toBeLessThan(0.1);
    // (40 trials a size here only show the table's shape; the drift against a display, which takes 400 to resolve,
    // is tested in test/sim/qr-flow.test.ts)
    expect(j.exposure.rows.map((r: { multiple: number }) => r.multiple)).toEqual([0.5, 1, 2, 4, 8]);
    // on the replayed day a display is priced by the day's quote pressure: more shown, more drift
    expect(j.exposure_replay.rows.map((r: { multiple: number }) => r.multiple)).toEqual([0.5, 1, 2, 4, 8]);
    expect(j.exposure_replay.grows_with_size).toBe(true);
    expect(j.metaorder.synthetic.results).toHaveLength(5);
    expect(typeof j.metaorder.synthetic.exponent).toBe('number');
  });

  it('calibrates on part of a day and checks against another part (--window): the same as cutting the files there', () => {
    const GOOG = GOOG_DAY;
    const dir = mkdtempSync(join(tmpdir(), 'sor-window-'));
    try {
      // the afternoon's rows cut into a LOBSTER pair of their own
      const base = `${GOOG}/GOOG_2012-06-21_34200000_57600000_`;
      const msg = readFileSync(`${base}message_1.csv`, 'utf8').trimEnd().split('\n');
      const book = readFileSync(`${base}orderbook_1.csv`, 'utf8').trimEnd().split('\n');
      const k = msg.findIndex((l) => Number(l.split(',')[0]) >= 45_900);
      expect(k).toBeGreaterThan(1000);
      const cut = join(dir, 'pm');
      mkdirSync(cut);
      writeFileSync(join(cut, 'GOOG_2012-06-21_45900000_57600000_message_1.csv'), msg.slice(k).join('\n') + '\n');
      writeFileSync(join(cut, 'GOOG_2012-06-21_45900000_57600000_orderbook_1.csv'), book.slice(k).join('\n') + '\n');
      const sor = (...args: string[]) => spawnSync(process.execPath, ['bin/sor.js', ...args], { encoding: 'utf8' });
      const a = sor('calibrate', GOOG, '--window', '12:45-16:00', '--out', join(dir, 'a.json'), '--name', 'pm');
      expect(a.stderr).toBe('');
      expect(a.status).toBe(0);
      expect(sor('calibrate', cut, '--out', join(dir, 'b.json'), '--name', 'pm').status).toBe(0);
      const ja = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
      const jb = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
      expect(ja.description).toMatch(/message_1\.csv from 12:45 to 16:00 \(1 level, 11699 s\)/);
      expect(ja.calibration.window).toBe('12:45-16:00');
      for (const j of [ja, jb]) {
        delete j.description;
        j.calibration = j.calibration.observed;
      }
      expect(ja).toEqual(jb);
      // windows that cannot be: named, with the option or the file
      const none = sor('calibrate', GOOG, '--window', '17:00-18:00', '--out', join(dir, 'c.json'));
      expect(none.status).toBe(3);
      expect(none.stderr).toMatch(/message_1\.csv: the window 17:00-18:00 holds 0 events of the file's 49482/);
      for (const w of ['12:45', '12:45-12:45', '25:00-26:00', '9:30-noon']) {
        const bad = sor('calibrate', GOOG, '--window', w, '--out', join(dir, 'c.json'));
        expect(bad.status).toBe(2);
        expect(bad.stderr).toMatch(/--window/);
      }
      expect(existsSync(join(dir, 'c.json'))).toBe(false);
      // the afternoon's scenario against the afternoon: the real statistics are the window's
      const r = sor(
        'realism',
        '--scenario',
        join(dir, 'a.json'),
        '--window',
        '12:45-16:00',
        '--seeds',
        '1',
        '--metaorder-seeds',
        '2',
        '--exposure-trials',
        '0',
        '--json',
      );
      expect(r.status).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.real_day).toBe('GOOG_2012-06-21_L1 12:45-16:00');
      expect(j.real.minutes).toBeGreaterThan(194);
      expect(j.real.minutes).toBeLessThan(195.1);
      expect(j.synthetic.minutes).toBe(195);
      // the afternoon's spread is its own (the whole day's is 27.3 ticks, the morning's 31.8)
      expect(j.real.spread_ticks.mean).toBeGreaterThan(22);
      expect(j.real.spread_ticks.mean).toBeLessThan(24);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
