import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hash64 } from '../core/hash.js';

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

/**
 * A model registry: a folder of JSON artifacts, one file per model (`<kind>-v<version>-<hash>.json`), each holding
 * the weights, the feature schema, the hash of the training data and the metrics. Files are written to a
 * temporary name and renamed, so a crash never leaves half an artifact under a real name.
 */
export class ModelRegistry {
  constructor(readonly dir: string) {}

  list(): RegistryEntry[] {
    let files: string[];
    try {
      files = readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch (e) {
      // a registry not yet written is empty; anything else (a file in its place, no permission) is an error
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`${this.dir}: not a model registry folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const out: RegistryEntry[] = [];
    for (const f of files.sort()) {
      const path = join(this.dir, f);
      let a: { registry?: RegistryEntry };
      try {
        a = JSON.parse(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new Error(`${path}: not a readable model artifact (${(e as Error).message})`);
      }
      if (!a.registry) throw new Error(`${path}: not a model artifact (no registry entry)`);
      out.push({ ...a.registry, file: path });
    }
    return out.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.version - b.version));
  }

  /** Registers an artifact as the next version of its kind; returns its entry. */
  save<A extends { schema: { version: number; hash: string }; training: { data_hash: string } }>(
    kind: string,
    artifact: A,
    metrics: unknown,
    meta: unknown,
  ): RegistryEntry {
    mkdirSync(this.dir, { recursive: true });
    const version =
      this.list()
        .filter((e) => e.kind === kind)
        .reduce((m, e) => Math.max(m, e.version), 0) + 1;
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
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ registry: entry, artifact }, null, 1));
    renameSync(tmp, file);
    return entry;
  }

  /** The artifact of an entry id (or the newest of a kind). */
  load<T>(idOrKind: string): { entry: RegistryEntry; artifact: T } {
    const found = this.find<T>(idOrKind);
    if (!found) throw new Error(`${this.dir}: no model ${idOrKind}`);
    return found;
  }

  /** The artifact of an entry already listed (its file read once, not the whole registry again). */
  artifact<T>(entry: RegistryEntry): T {
    return JSON.parse(readFileSync(entry.file, 'utf8')).artifact as T;
  }

  private find<T>(idOrKind: string): { entry: RegistryEntry; artifact: T } | undefined {
    const all = this.list();
    const e = all.find((x) => x.id === idOrKind) ?? all.filter((x) => x.kind === idOrKind).pop();
    return e && { entry: e, artifact: this.artifact<T>(e) };
  }
}
