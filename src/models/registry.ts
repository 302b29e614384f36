import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError, errnoOf, fsDo, ioError, IoError } from '../core/errors.js';
import { makeFolder, replaceFile, writableFolder } from '../core/files.js';
import { Hash64 } from '../core/hash.js';
import { zodProblem } from '../core/zod-problem.js';
import { ARTIFACT_SCHEMAS } from './artifacts.js';

/** What the registry keeps of every artifact, beside the artifact itself. */
export interface RegistryEntry {
  id: string;
  kind: string;
  /** 1, 2, … per kind, in the order they were registered. */
  version: number;
  file: string;
  schema: { version: number; hash: string };
  data_hash: string;
  metrics: unknown;
  meta: unknown;
}

/** A file in the registry that is not a usable artifact, and why. */
export interface RegistryProblem {
  file: string;
  problem: string;
}

const entrySchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*-v\d+-[0-9a-f]{8}$/, 'not a registry id'),
    kind: z.string().min(1),
    version: z.number().int().positive(),
    schema: z.object({ version: z.number().int().min(0), hash: z.string() }),
    data_hash: z.string(),
    metrics: z.unknown(),
    meta: z.unknown(),
  })
  .loose();

/** The first problem of a zod error, as `field: message`. */
function firstIssue(e: z.ZodError): string {
  const p = zodProblem(e);
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/**
 * A model registry: a folder of JSON artifacts, one file per model (`<kind>-v<version>-<hash>.json`), each holding
 * the weights, the feature schema, the hash of the training data and the metrics. Every artifact is checked against
 * its kind's schema (models/artifacts.ts: shapes, finite values, bounds) when it is listed and when it is saved: a
 * file that fails is named in `problems()` and left out, and the rest of the registry still works. Files are written
 * to a temporary name and renamed, so a crash never leaves half an artifact under a real name.
 */
export class ModelRegistry {
  constructor(
    readonly dir: string,
    private readonly schemas: Readonly<Record<string, z.ZodType>> = ARTIFACT_SCHEMAS,
  ) {}

  /** The valid artifacts' entries, by kind then version. */
  list(): RegistryEntry[] {
    return this.scan().entries;
  }

  /** The files that are not valid artifacts, each with its first problem. */
  problems(): RegistryProblem[] {
    return this.scan().problems;
  }

  /** Every file, checked: the valid entries (with their artifacts) and the problems. */
  private scan(): { entries: RegistryEntry[]; problems: RegistryProblem[]; artifacts: Map<string, unknown> } {
    let files: string[];
    try {
      files = readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch (e) {
      // a registry not yet written is empty; anything else (a file in its place, no permission) is an error
      if (errnoOf(e) === 'ENOENT') return { entries: [], problems: [], artifacts: new Map() };
      if (errnoOf(e) === 'ENOTDIR') throw new IoError(`${this.dir}: not a model registry folder (a file)`);
      throw ioError(this.dir, 'read the model registry', e);
    }
    const entries: RegistryEntry[] = [];
    const problems: RegistryProblem[] = [];
    const artifacts = new Map<string, unknown>();
    for (const f of files.sort()) {
      const file = join(this.dir, f);
      const r = this.check(file);
      if ('problem' in r) problems.push({ file, problem: r.problem });
      else {
        entries.push(r.entry);
        artifacts.set(r.entry.id, r.artifact);
      }
    }
    entries.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.version - b.version));
    return { entries, problems, artifacts };
  }

  /** One file read and checked: its entry and artifact, or what is wrong with it. */
  private check(file: string): { entry: RegistryEntry; artifact: unknown } | { problem: string } {
    let raw: { registry?: unknown; artifact?: unknown };
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      return { problem: errnoOf(e) ? `cannot read (${errnoOf(e)})` : `not JSON (${(e as Error).message})` };
    }
    if (typeof raw !== 'object' || raw === null) return { problem: 'not a model artifact (not an object)' };
    const entry = entrySchema.safeParse(raw.registry);
    if (!entry.success) return { problem: `registry entry: ${firstIssue(entry.error)}` };
    const problem = this.artifactProblem(entry.data.kind, raw.artifact);
    if (problem) return { problem };
    return { entry: { ...(entry.data as Omit<RegistryEntry, 'file'>), file }, artifact: raw.artifact };
  }

  /** Why an artifact of `kind` is unusable, or null. */
  private artifactProblem(kind: string, artifact: unknown): string | null {
    const schema = this.schemas[kind];
    if (!schema) return `unknown model kind "${kind}" (known: ${Object.keys(this.schemas).join(', ')})`;
    const r = schema.safeParse(artifact);
    return r.success ? null : `artifact.${firstIssue(r.error)}`;
  }

  /**
   * Checks, before any work whose result it will hold, that the registry can be written: the folder is created if
   * missing, and a probe file is written and removed.
   */
  assertWritable(): void {
    writableFolder(this.dir, 'model registry');
  }

  /** Registers an artifact as the next version of its kind (checked against its schema first); returns its entry. */
  save<A extends { schema: { version: number; hash: string }; training: { data_hash: string } }>(
    kind: string,
    artifact: A,
    metrics: unknown,
    meta: unknown,
  ): RegistryEntry {
    const problem = this.artifactProblem(kind, artifact);
    if (problem) throw new DataError(`a ${kind} model that is not valid was not registered: ${problem}`);
    makeFolder(this.dir, 'model registry');
    // every artifact is saved under its id: the next version counts the kind's files, valid or not, so no id is reused
    const version =
      fsDo(this.dir, 'read the model registry', () => readdirSync(this.dir))
        .map((f) => new RegExp(`^${kind}-v(\\d+)-[0-9a-f]{8}\\.json$`).exec(f))
        .reduce((m, x) => Math.max(m, x ? Number(x[1]) : 0), 0) + 1;
    const body = JSON.stringify(artifact);
    const h = new Hash64();
    for (let i = 0; i < body.length; i++) h.word(body.charCodeAt(i));
    const id = `${kind}-v${version}-${h.hex().slice(0, 8)}`;
    const file = join(this.dir, `${id}.json`);
    const entry: RegistryEntry = {
      id,
      kind,
      version,
      file,
      schema: { version: artifact.schema.version, hash: artifact.schema.hash },
      data_hash: artifact.training.data_hash,
      metrics,
      meta,
    };
    replaceFile(file, (tmp) => writeFileSync(tmp, JSON.stringify({ registry: entry, artifact }, null, 1)));
    return entry;
  }

  /** The artifact of an entry id (or the newest valid one of a kind). */
  load<T>(idOrKind: string): { entry: RegistryEntry; artifact: T } {
    const { entries, problems, artifacts } = this.scan();
    const e = entries.find((x) => x.id === idOrKind) ?? entries.filter((x) => x.kind === idOrKind).pop();
    if (!e) {
      const bad = problems.find((p) => p.file.endsWith(`${idOrKind}.json`));
      throw new DataError(bad ? `${bad.file}: ${bad.problem}` : `${this.dir}: no model ${idOrKind}`);
    }
    return { entry: e, artifact: artifacts.get(e.id) as T };
  }

  /** The artifact of an entry already listed, read again and checked (the file may have changed since). */
  artifact<T>(entry: RegistryEntry): T {
    const r = this.check(entry.file);
    if ('problem' in r) throw new DataError(`${entry.file}: ${r.problem}`);
    return r.artifact as T;
  }
}
