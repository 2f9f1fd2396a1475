/**
 * From file bytes to plain JSON values, the way real exports arrive (graph-shapes §1 [C1]):
 * PowerShell's `Out-File` writes UTF-16LE with a BOM, others UTF-8 with a BOM; OData
 * annotations (`@odata.context`, `xxx@odata.type`, `#microsoft.graph.restore`) are noise to
 * an importer. Duplicate keys resolve "last wins", which is what `JSON.parse` does.
 */

/** Decodes by BOM: UTF-16LE (FF FE), UTF-16BE (FE FF), UTF-8 (EF BB BF); BOM-less UTF-16 is spotted by NUL bytes. */
export function decodeText(input: string | Uint8Array): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return swap16(b.subarray(2)).toString('utf16le');
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  if (b.length >= 4 && b[0] !== 0 && b[1] === 0 && b[3] === 0) return b.toString('utf16le');
  if (b.length >= 4 && b[0] === 0 && b[2] === 0 && b[1] !== 0) return swap16(b).toString('utf16le');
  return b.toString('utf8');
}

function swap16(b: Buffer): Buffer {
  const out = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  out.swap16();
  return out;
}

/** An OData instance or property annotation, or an advertised action (`#microsoft.graph.restore`). */
export function isAnnotation(key: string): boolean {
  return key.startsWith('@') || key.startsWith('#') || key.includes('@odata.');
}

/** Returns a deep copy without annotations. */
export function stripAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripAnnotations);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!isAnnotation(k)) out[k] = stripAnnotations(v);
  return out;
}
