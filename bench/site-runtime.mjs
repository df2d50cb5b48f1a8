// The search runtime a built zhiku site names: the loader and manifest URLs
// from the search box of its home page (empty strings when built without search).
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export async function siteRuntime(site) {
  const home = await readFile(join(site, "index.html"), "utf8");
  const attr = (name) => (new RegExp(`${name}="([^"]*)"`).exec(home)?.[1] ?? "").replace(/&amp;/g, "&");
  return { loader: attr("data-loader"), manifest: attr("data-manifest") };
}
