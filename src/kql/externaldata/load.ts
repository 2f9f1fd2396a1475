// Reads the files of the externaldata operators a query holds (compile/externaldata.ts lists them)
// and turns each into typed rows, reporting every failure as a KqlError at the URL's position.
import { KqlError } from '../errors.ts';
import { formatOf } from '../compile/externaldata.ts';
import type { ExternalDataSpec } from '../compile/externaldata.ts';
import { ExternalFormatError, parseExternal } from './formats.ts';
import type { Cell } from './formats.ts';
import { ExternalDataError, isEnabled, readExternal } from './source.ts';
import type { ExternalDataOptions } from './source.ts';

export async function loadExternalData(specs: ExternalDataSpec[], opts: ExternalDataOptions | undefined): Promise<Map<number, Cell[][]>> {
  if (!isEnabled(opts)) {
    throw new KqlError(
      'UnsupportedOperator',
      'externaldata is turned off: Tessera reads external files only from URL prefixes listed in TESSERA_KQL_EXTERNALDATA_ALLOW or from a mirror directory set with TESSERA_KQL_EXTERNALDATA_MIRROR (see docs/configuration.md)',
      specs[0]?.position,
    );
  }
  // Each distinct URL is read once per query, all of them at the same time.
  const texts = new Map<string, Promise<string>>();
  for (const s of specs) for (const { url } of s.urls) if (!texts.has(url)) texts.set(url, readExternal(url, opts));
  for (const p of texts.values()) p.catch(() => undefined); // each is awaited below; none may go unhandled
  const out = new Map<number, Cell[][]>();
  for (const spec of specs) {
    const rows: Cell[][] = [];
    for (const { url, position } of spec.urls) {
      let text: string;
      try {
        text = await texts.get(url)!;
      } catch (err) {
        if (!(err instanceof ExternalDataError)) throw err;
        throw new KqlError(err.kind === 'not-allowed' ? 'InvalidArgument' : 'ExecutionError', `externaldata: ${err.message}`, position);
      }
      try {
        for (const r of parseExternal(text, formatOf(spec, url), spec.cols, spec.ignoreFirstRecord)) rows.push(r);
      } catch (err) {
        if (!(err instanceof ExternalFormatError)) throw err;
        throw new KqlError('ExecutionError', `externaldata: ${url} is not valid ${formatOf(spec, url)}: ${err.message}`, position);
      }
    }
    out.set(spec.id, rows);
  }
  return out;
}
