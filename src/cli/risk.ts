import type { Command } from 'commander';
import { marketFacts, resolveMarket } from '../backtest/market.js';
import { routerModels } from '../backtest/training.js';
import { EXIT_CODES } from '../core/errors.js';
import { progress } from '../core/progress.js';
import { ModelRegistry } from '../models/registry.js';
import { riskFuzz } from '../backtest/risk-fuzz.js';
import { MlModels } from '../router/ml/models.js';
import { nonNegativeInt, positiveInt } from './options.js';

export function riskCommand(program: Command): void {
  const risk = program.command('risk').description('the guardrails: tests of them against adversarial policies');
  risk
    .command('fuzz')
    .description(
      'the ml router on adversarial model outputs (NaN, ±∞, huge, negative, random, steering to one venue, sizing up) through the real engine in the simulator under random tight limits; an independent audit reads every child sent (exit 3 if any breaches a limit or a parent does not end)',
    )
    .option('--outputs <n>', 'sabotaged model outputs to produce', positiveInt('--outputs', 1e9), 1_000_000)
    .option('--seed <n>', 'seed of the markets, limits, orders and outputs', nonNegativeInt('--seed'), 1)
    .option('--scenario <name|file>', 'the market', 'default')
    .option('--models <dir>', 'the model registry (missing models are trained on the market and registered)', 'sor-models')
    .option('--json', 'print JSON', false)
    .action(async (o: { outputs: number; seed: number; scenario: string; models: string; json: boolean }) => {
      const { scenario, file } = resolveMarket(o.scenario);
      const facts = marketFacts(scenario, file);
      const m = await routerModels(new ModelRegistry(o.models), scenario, file, 10, (model) =>
        process.stderr.write(`ml: no ${model} model in ${o.models}; training one on ${scenario.name}\n`),
      );
      const r = riskFuzz({
        outputs: o.outputs,
        seed: o.seed,
        scenario,
        file,
        models: new MlModels(m.artifacts),
        adv: facts.adv,
        volBps: facts.volBps ?? NaN,
        profile: facts.profile,
        onProgress: (d, n) => progress('sabotaged outputs', d, n),
      });
      if (o.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(`${r.outputs} sabotaged outputs · ${r.runs} runs · ${r.parents} parents, ${r.parents_ended} ended · ${r.children_sent} children sent`);
        console.log(
          `refused: ${JSON.stringify(r.children_refused)} · anomalies: ${JSON.stringify(r.model_anomalies)} · ${r.fallback_decisions} rule-router decisions`,
        );
        console.log(`breaches: ${r.breaches}${r.first_breaches.length ? `\n  ${r.first_breaches.join('\n  ')}` : ''} · unended: ${r.unended.length}`);
      }
      if (r.breaches > 0 || r.unended.length > 0) process.exitCode = EXIT_CODES.data;
    });
}
