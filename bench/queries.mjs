// The queries of the tests/data/*.tsv files: the column headed "query" (the
// first one when none is), one per line after the header.
import { readFileSync } from "node:fs";

export function readQueries(files) {
  return files.flatMap((f) => {
    const [head, ...lines] = readFileSync(f, "utf8").split("\n");
    const col = Math.max(0, head.split("\t").indexOf("query"));
    return lines.map((l) => (l.split("\t")[col] || "").trim()).filter(Boolean);
  });
}
