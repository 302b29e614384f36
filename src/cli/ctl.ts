import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fsDo, UsageError } from '../core/errors.js';
import { controlCall } from '../monitor/control.js';
import { hashPassword } from '../fix/auth.js';
import { positiveInt } from './options.js';

/** The cost of a control token's scrypt hash: tokens are random (144 bits), so the hash need not be slow to guess. */
const TOKEN_COST = 1024;

/** The token of a control call: the file named, else the environment's SOR_CONTROL_TOKEN (never the command line). */
function tokenOf(file: string | undefined): string {
  const t = file !== undefined ? fsDo(file, 'read the token file', () => readFileSync(file, 'utf8')).trim() : process.env.SOR_CONTROL_TOKEN;
  if (!t) throw new UsageError('no control token: set SOR_CONTROL_TOKEN or give --token-file (a token from `sor ctl new-token`)');
  return t;
}

interface CtlOptions {
  port?: number;
  url?: string;
  tokenFile?: string;
  symbol?: string;
  reason?: string;
  parent?: string;
  json: boolean;
}

export function ctlCommand(program: Command): void {
  const ctl = program
    .command('ctl')
    .description('human control of a running router (sor serve): status, halt, reduce, resume, cancel-all, reset-model; every call authenticated');
  const common = (c: Command) =>
    c
      .option('--port <n>', 'the control API’s port on 127.0.0.1 (sor serve prints it)', positiveInt('--port', 65_535))
      .option('--url <url>', 'the control API’s address instead (http://127.0.0.1:<port>)')
      .option('--token-file <file>', 'a file holding the token (default: the environment’s SOR_CONTROL_TOKEN)')
      .option('--json', 'print the answer as JSON', false);
  const run = async (action: string, o: CtlOptions) => {
    if (o.url === undefined && o.port === undefined) throw new UsageError('give the control API’s --port (or --url)');
    const base = (o.url ?? `http://127.0.0.1:${o.port}`).replace(/\/$/, '');
    const body: Record<string, unknown> = {};
    if (o.symbol !== undefined) body.symbol = o.symbol;
    if (o.reason !== undefined) body.reason = o.reason;
    if (o.parent !== undefined) body.parent = o.parent;
    const answer = (await controlCall(base, tokenOf(o.tokenFile), action, body)) as Record<string, unknown>;
    if (o.json) return console.log(JSON.stringify(answer, null, 2));
    if (action === 'status') {
      const a = answer as { symbol: string; state: string; all: string; open_orders: { total: number }; parents: { state: string }[]; rule_holds: object };
      const open = a.parents.filter((p) => !['filled', 'cancelled', 'expired', 'rejected'].includes(p.state)).length;
      console.log(
        `${a.symbol}: ${a.state} (all: ${a.all}) · ${open} open parents · ${a.open_orders.total} children working · rule holds: ${JSON.stringify(a.rule_holds)}`,
      );
      return;
    }
    const a = answer as { state: string; working_before: number; working_after: number; ms: number; parents?: string[] };
    console.log(
      `${action}: ${a.state}; children working ${a.working_before} → ${a.working_after} in ${a.ms} ms${a.parents ? `; parents: ${a.parents.join(', ') || 'none'}` : ''}`,
    );
    if (a.working_after > 0 && (action === 'halt' || action === 'cancel-all')) process.exitCode = 3;
  };
  common(ctl.command('status').description('the trading state and why, open parents and children, refusals and model anomalies')).action((o: CtlOptions) =>
    run('status', o),
  );
  for (const [action, what] of [
    ['halt', 'no new child order; every working one cancelled (answers once the venues confirm); new parents refused'],
    ['reduce', 'no new parents; the working ones may finish'],
    ['resume', 'back to ACTIVE (a market rule still in force keeps its hold)'],
    ['cancel-all', 'every open parent cancelled (the OMS told), its children first'],
  ] as const)
    common(ctl.command(action).description(what))
      .option('--symbol <s>', 'one symbol (default: all)')
      .option('--reason <text>', 'why, for the journal')
      .action((o: CtlOptions) => run(action, o));
  common(ctl.command('reset-model').description('put a parent kept on the rule router after model anomalies back on its model'))
    .requiredOption('--parent <id>', 'the parent: the router’s id (P<n>) or the OMS’s ClOrdID')
    .option('--reason <text>', 'why, for the journal')
    .action((o: CtlOptions) => run('reset-model', o));
  ctl
    .command('new-token')
    .description('a new control token for a person, and the entry for router.json’s control.tokens (its hash: the token itself is shown once, here)')
    .requiredOption('--who <name>', 'whose token (the journal names them with each action)')
    .option('--json', 'print JSON', false)
    .action((o: { who: string; json: boolean }) => {
      if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(o.who)) throw new UsageError('--who: 1–64 letters, digits, _ . @ -');
      const token = randomBytes(18).toString('base64url');
      const entry = { who: o.who, tokenHash: hashPassword(token, randomBytes(16), TOKEN_COST) };
      if (o.json) return console.log(JSON.stringify({ token, entry }));
      console.log(`token (give it to ${o.who}; it is not kept anywhere): ${token}`);
      console.log(`router.json control.tokens entry: ${JSON.stringify(entry)}`);
    });
}
