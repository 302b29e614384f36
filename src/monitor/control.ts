import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { verifyPassword } from '../fix/auth.js';
import { zodProblem } from '../core/zod-problem.js';
import { SorError, UsageError } from '../core/errors.js';
import type { RouterConfig } from '../live/config.js';
import type { RouterService } from '../live/service.js';
import { CONTROL_ACTIONS, type ControlAction, type ControlRecord } from '../live/journal.js';

export interface ControlToken {
  who: string;
  tokenHash: string;
}

/** What the API acts on: the router service. */
export interface ControlTarget {
  /** Journals and applies an action (or a refused call); resolves with what became of it. */
  act(r: ControlRecord): Promise<unknown>;
  status(): unknown;
}

const body = z
  .object({
    symbol: z.string().min(1).max(32).optional(),
    reason: z.string().max(500).optional(),
    parent: z.string().min(1).max(64).optional(),
  })
  .strict();

/**
 * The control API of the router service: a person halts, reduces, resumes, cancels everything or puts a parent back
 * on its model, and reads where the router stands. It listens on 127.0.0.1 only. Every call, status included, must
 * carry `Authorization: Bearer <token>`; the token is checked against each configured person's salted hash (the
 * comparison in constant time, every entry tried, so the timing tells nothing of which came close). A call without
 * a token or with a wrong one gets 401 and is journaled as refused (who: null, where from, why); an accepted action
 * is journaled with who (the token's name) and when before it takes effect. Tokens are never logged or journaled.
 */
export class ControlServer {
  private readonly app: FastifyInstance;

  constructor(
    private readonly tokens: readonly ControlToken[],
    private readonly target: ControlTarget,
    /** The symbols the router trades: an action for another is refused (400), not taken as a no-op. */
    private readonly symbols: readonly string[] = [],
  ) {
    this.app = Fastify({ logger: false, bodyLimit: 4096 });
    // every path, known or not, is authenticated first: an unknown caller learns nothing of what exists
    this.app.addHook('onRequest', async (req, reply) => {
      const who = this.authenticate(req.headers.authorization);
      if (typeof who === 'string') {
        (req as FastifyRequest & { who?: string }).who = who;
        return;
      }
      await this.target.act({
        k: 'control',
        t: 0,
        who: null,
        action: req.url.slice(0, 64),
        scope: '*',
        reason: '',
        from: req.ip,
        refused: who.refused,
      });
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: `unauthorized: ${who.refused}` });
    });
    this.app.get('/status', async () => this.target.status());
    for (const action of CONTROL_ACTIONS) this.app.post(`/${action}`, (req, reply) => this.action(action, req, reply));
    this.app.setNotFoundHandler((req, reply) =>
      reply.code(404).send({ error: `no ${req.method} ${req.url}: GET /status, POST /${CONTROL_ACTIONS.join(', /')}` }),
    );
  }

  /** Whose token this is, or why it is refused. */
  private authenticate(header: string | undefined): string | { refused: string } {
    const m = header === undefined ? null : /^Bearer ([A-Za-z0-9_\-.~+/=]{1,256})$/.exec(header);
    if (!m) return { refused: header === undefined ? 'no token' : 'not a bearer token' };
    let who: string | null = null;
    for (const t of this.tokens) if (verifyPassword(m[1]!, t.tokenHash) && who === null) who = t.who;
    return who ?? { refused: 'wrong token' };
  }

  private async action(action: ControlAction, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const parsed = body.safeParse(req.body ?? {});
    if (!parsed.success) {
      const p = zodProblem(parsed.error);
      return reply.code(400).send({ error: `${p.path || 'body'}: ${p.message}` });
    }
    const b = parsed.data;
    if (action === 'reset-model' && b.parent === undefined) return reply.code(400).send({ error: 'reset-model: name the parent ({"parent": "P3"})' });
    if (b.symbol !== undefined && this.symbols.length > 0 && !this.symbols.includes(b.symbol))
      return reply.code(400).send({ error: `symbol ${b.symbol}: the router trades ${this.symbols.join(', ')}` });
    const who = (req as FastifyRequest & { who?: string }).who!;
    return this.target.act({
      k: 'control',
      t: 0,
      who,
      action,
      scope: b.symbol ?? '*',
      ...(b.parent !== undefined ? { parent: b.parent } : {}),
      reason: b.reason ?? '',
      from: req.ip,
    });
  }

  async listen(port: number): Promise<number> {
    await this.app.listen({ host: '127.0.0.1', port });
    const a = this.app.server.address();
    return typeof a === 'object' && a ? a.port : port;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

/** One call of the control API; its answer (JSON), or an error naming what went wrong. */
export async function controlCall(base: string, token: string, action: string, body?: Record<string, unknown>): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${base}/${action}`, {
      method: action === 'status' ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(action === 'status' ? {} : { 'content-type': 'application/json' }) },
      ...(action === 'status' ? {} : { body: JSON.stringify(body ?? {}) }),
    });
  } catch (e) {
    throw new SorError('io', `the control API at ${base}: ${(e as Error).message}`, { cause: e });
  }
  const answer = (await res.json().catch(() => ({}))) as { error?: string };
  if (res.status === 401) throw new UsageError(`the control API refused the token (401): ${answer.error ?? ''}`);
  if (!res.ok) throw new UsageError(`the control API answered ${res.status}: ${answer.error ?? ''}`);
  return answer;
}

/** The control API of a started router service, where its config has tokens (null where it has none). */
export async function startControl(service: RouterService, config: RouterConfig): Promise<ControlServer | null> {
  if (!config.control) return null;
  const server = new ControlServer(config.control.tokens, service, [config.symbol]);
  service.controlPort = await server.listen(config.control.port);
  return server;
}
