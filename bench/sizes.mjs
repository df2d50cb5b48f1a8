// Compressed sizes of a file as a static host would serve it: raw, gzip -9
// (Node's zlib) and brotli 11. Shared by the payload and Pagefind benchmarks.
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

/** {raw, gzip, brotli} byte counts of `buf`. A file that is already compressed
 * (Pagefind ships gzipped chunks) is sent as it is, so a compressed size never
 * counts above the raw one. */
export function compressedSizes(buf) {
  const gzip = gzipSync(buf, { level: 9 }).length;
  const brotli = brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length;
  return { raw: buf.length, gzip: Math.min(gzip, buf.length), brotli: Math.min(brotli, buf.length) };
}
