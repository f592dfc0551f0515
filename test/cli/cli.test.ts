/**
 * The `tallyboard` binary, run as a child process after one `npm run build`.
 * Sections live in `_*.ts` next to this file so the build happens once.
 */
import { beforeAll } from "vitest";
import { buildOnce } from "./_cli.js";
import { outputTests } from "./_output.js";
import { reportTests } from "./_reports.js";
import { startTests } from "./_start.js";
import { storeTests } from "./_stores.js";
import { usageTests } from "./_usage.js";

beforeAll(buildOnce, 120_000);

usageTests();
outputTests();
storeTests();
reportTests();
startTests();
