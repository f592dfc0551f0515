import { afterAll, describe } from "vitest";
import { pgliteNamespaces, serverNamespaces } from "./_postgres.js";
import { storeEquivalence } from "./equivalence.js";
import { storeConformance, storeOverflowConformance } from "./suite.js";

for (const mode of ["rollup", "items"] as const) {
  storeConformance(`postgres server, ${mode} mode`, serverNamespaces(mode));
  storeOverflowConformance(`postgres server, ${mode} mode`, serverNamespaces(mode));
  describe(`postgres server, ${mode} mode`, () => {
    storeEquivalence(`postgres server, ${mode} mode,`, serverNamespaces(mode));
  });

  const lite = pgliteNamespaces(mode);
  storeConformance(`PGlite, ${mode} mode`, lite.namespace);
  storeOverflowConformance(`PGlite, ${mode} mode`, lite.namespace);
  describe(`PGlite, ${mode} mode`, () => {
    storeEquivalence(`PGlite, ${mode} mode,`, lite.namespace);
    afterAll(lite.close);
  });
}
