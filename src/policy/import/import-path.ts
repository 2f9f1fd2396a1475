/**
 * Directory import and export (`tessera policy import DIR|FILE`, `tessera policy export DIR`).
 * Import reads every `*.json` under the path, imports named locations first so that policies
 * can refer to them, and reports per file: imported (with warnings) or refused (property +
 * reason). Nothing is half-written: a refused object is simply not stored. Location ids that
 * policies use are rewritten to the ids the repository assigns to the imported locations.
 * Export writes one UTF-8 JSON file per object, named `<displayName>.json`, in the Graph shape
 * that import reads back to an equal object.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { PolicyRepository } from '../repository.ts';
import { importPolicyDocuments, type ImportedItem } from './import-file.ts';
import { PolicyImportError } from './errors.ts';

export interface ImportFileReport {
  file: string;
  status: 'imported' | 'refused';
  /** Ids assigned to what was stored. */
  ids: string[];
  kinds: Array<ImportedItem['kind']>;
  warnings: string[];
  refusal?: { property: string; reason: string };
}

export interface ImportReport { imported: number; refused: number; files: ImportFileReport[] }

async function listJson(path: string): Promise<string[]> {
  const s = await stat(path);
  if (!s.isDirectory()) return [path];
  const out: string[] = [];
  for (const name of (await readdir(path)).sort()) {
    const p = join(path, name);
    if ((await stat(p)).isDirectory()) out.push(...(await listJson(p)));
    else if (name.toLowerCase().endsWith('.json')) out.push(p);
  }
  return out;
}

export async function importPath(repo: PolicyRepository, fileOrDir: string): Promise<ImportReport> {
  const files = await listJson(fileOrDir);
  const parsed: Array<{ file: string; items?: ImportedItem[]; error?: PolicyImportError }> = [];
  for (const f of files) {
    const rel = relative(fileOrDir, f) || f;
    try {
      parsed.push({ file: rel, items: importPolicyDocuments(await readFile(f)) });
    } catch (e) {
      if (!(e instanceof PolicyImportError)) throw e;
      parsed.push({ file: rel, error: e });
    }
  }
  const reports = new Map<string, ImportFileReport>();
  for (const p of parsed) {
    reports.set(p.file, p.error
      ? { file: p.file, status: 'refused', ids: [], kinds: [], warnings: [], refusal: { property: p.error.property, reason: p.error.reason } }
      : { file: p.file, status: 'imported', ids: [], kinds: p.items!.map((i) => i.kind), warnings: p.items!.flatMap((i) => i.warnings) });
  }
  // Named locations first. The store assigns new ids, so policies that name a location by its
  // exported id are rewritten to the new one (e.g. a country allow-list excluded from a block policy).
  const newLocationId = new Map<string, string>();
  for (const p of parsed) {
    for (const item of p.items ?? []) {
      if (item.kind !== 'namedLocation') continue;
      const stored = await repo.createNamedLocation(item.value);
      if (item.value.id) newLocationId.set(item.value.id.toLowerCase(), stored.id);
      reports.get(p.file)!.ids.push(stored.id);
    }
  }
  const remap = (ids: string[]) => ids.map((id) => newLocationId.get(id.toLowerCase()) ?? id);
  for (const p of parsed) {
    for (const item of p.items ?? []) {
      if (item.kind !== 'policy') continue;
      const locations = item.value.conditions.locations;
      const value = locations
        ? { ...item.value, conditions: { ...item.value.conditions, locations: { ...locations, includeLocations: remap(locations.includeLocations), excludeLocations: remap(locations.excludeLocations) } } }
        : item.value;
      const stored = await repo.createPolicy(value);
      reports.get(p.file)!.ids.push(stored.id);
    }
  }
  const list = [...reports.values()];
  return { imported: list.filter((r) => r.status === 'imported').length, refused: list.filter((r) => r.status === 'refused').length, files: list };
}

function fileName(displayName: string, used: Set<string>): string {
  const base = displayName.replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_').trim().slice(0, 120) || 'unnamed';
  let name = `${base}.json`;
  for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base} (${n}).json`;
  used.add(name.toLowerCase());
  return name;
}

/** Writes policies to `dir/policies/` and named locations to `dir/namedLocations/`; returns the file count. */
export async function exportAll(repo: PolicyRepository, dir: string): Promise<number> {
  let count = 0;
  for (const [sub, items] of [['policies', await repo.listPolicies()], ['namedLocations', await repo.listNamedLocations()]] as const) {
    const target = join(dir, sub);
    await mkdir(target, { recursive: true });
    const used = new Set<string>();
    for (const item of items) {
      await writeFile(join(target, fileName(item.displayName, used)), JSON.stringify(item, null, 2) + '\n', 'utf8');
      count++;
    }
  }
  return count;
}
