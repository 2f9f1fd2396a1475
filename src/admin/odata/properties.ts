/**
 * Property lookup in a resource catalogue. Entra ID resolves property names in query options
 * case-insensitively (`$filter=DisplayName eq 'x'` works), so lookups here do too and return the
 * canonical spelling.
 */
import { BadRequest, UnsupportedQuery } from '../../errors/graph.ts';
import type { Catalogue, PropertyDef } from './types.ts';

const folded = new WeakMap<Catalogue, Map<string, string>>();

function index(catalogue: Catalogue): Map<string, string> {
  let m = folded.get(catalogue);
  if (!m) {
    m = new Map(Object.keys(catalogue.properties).map((k) => [k.toLowerCase(), k]));
    folded.set(catalogue, m);
  }
  return m;
}

export function resolveProperty(catalogue: Catalogue, path: string): { path: string; def: PropertyDef } | undefined {
  const key = index(catalogue).get(path.toLowerCase());
  if (key === undefined) return undefined;
  return { path: key, def: catalogue.properties[key]! };
}

/** ODL's wording for an unknown property. */
export function unknownProperty(catalogue: Catalogue, path: string): never {
  throw new BadRequest(`Could not find a property named '${path}' on type 'microsoft.graph.${catalogue.type}'.`);
}

/** Graph's wording for a property that exists but cannot be filtered on. */
export function unsupportedFilter(catalogue: Catalogue, path: string): never {
  const resource = catalogue.type.charAt(0).toUpperCase() + catalogue.type.slice(1);
  throw new UnsupportedQuery(`Unsupported or invalid query filter clause specified for property '${path}' of resource '${resource}'.`);
}

/** The collection a path lives under (`assignedLicenses` for `assignedLicenses/skuId`), if any. */
export function enclosingCollection(catalogue: Catalogue, path: string): string | undefined {
  const segs = path.split('/');
  for (let n = 1; n < segs.length; n++) {
    const prefix = segs.slice(0, n).join('/');
    if (catalogue.properties[prefix]?.collection) return prefix;
  }
  return undefined;
}

export function isSelectable(path: string, def: PropertyDef): boolean {
  return def.selectable ?? !path.includes('/');
}

export function isSortable(catalogue: Catalogue, path: string, def: PropertyDef): boolean {
  if (enclosingCollection(catalogue, path) !== undefined) return false;
  return def.sortable ?? (def.type !== 'complex' && !def.collection);
}
