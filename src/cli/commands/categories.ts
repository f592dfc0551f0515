import { Command } from "commander";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { createStyle, formatJson } from "../_format.js";
import { withMetrics } from "../_metrics.js";

/** Options of `tallyboard categories`. */
export interface CategoriesCommandOptions {
  slugs?: boolean;
  json?: boolean;
}

/** `tallyboard categories`: every category, optionally with the slugs listed under it. */
export async function runCategories(
  options: CategoriesCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics }) => {
    const categories = await metrics.categories();
    if (!options.slugs) {
      if (options.json) return { code: 0, stdout: formatJson(categories) };
      return { code: 0, stdout: categories.map((c) => `${c}\n`).join("") };
    }
    const bySlug: Record<string, string[]> = {};
    for (const category of categories) bySlug[category] = await metrics.categorySlugs(category);
    if (options.json) return { code: 0, stdout: formatJson(bySlug) };
    const style = createStyle(ctx.stdout.color);
    const lines = Object.entries(bySlug).flatMap(([category, slugs]) => [
      style.bold(category),
      ...slugs.map((s) => `  ${s}`),
    ]);
    return { code: 0, stdout: lines.map((l) => `${l}\n`).join("") };
  });
}

/** The `tallyboard categories` command for the program in `_program.ts`. */
export const categoriesCommand: CommandFactory = (ctx, done) =>
  new Command("categories")
    .description("list every category, sorted")
    .option("--slugs", "also list the slugs of each category")
    .option("--json", "print JSON: an array, or { category: [slugs] } with --slugs")
    .action(
      action(done, (options: CategoriesCommandOptions, command: Command) =>
        runCategories(options, globalsOf(command, ctx), ctx),
      ),
    );
