import type { DarkPoolModelArtifact } from '../../models/dark-allocation.js';
import { FillForward, type FillModelArtifact } from '../../models/fill-model.js';
import { ImpactForward, type ImpactModelArtifact } from '../../models/impact.js';
import { ToxicityForward, type ToxicityModelArtifact } from '../../models/toxicity.js';
import { VolForward, type VolModelArtifact } from '../../models/volatility.js';

/** The supervised models the ml router routes by, as plain artifacts (what a registry stores and a worker receives). */
export interface MlModelArtifacts {
  /** P(a post-only child at a lit venue fills within the horizon), by queue ahead and distance from the touch. */
  fill: FillModelArtifact;
  /** P(the mid moves against the order's side within the horizon). */
  adverse: FillModelArtifact;
  /** Realised variance over the model's horizon. */
  volatility: VolModelArtifact;
  /** The adverse move after a passive fill, bps. */
  toxicity: ToxicityModelArtifact;
  /** A parent order's end-of-horizon impact, bps; and the impact of each way of filling. */
  impact: ImpactModelArtifact;
  /** Each dark pool's liquidity, learnt offline from many orders' censored fills: where each order starts from. */
  dark: DarkPoolModelArtifact;
}

/** The models' forward passes (Float32Array, no allocation per call), built once from the artifacts. */
export class MlModels {
  readonly fill: FillForward;
  readonly adverse: FillForward;
  readonly volatility: VolForward;
  readonly toxicity: ToxicityForward;
  readonly impact: ImpactForward;
  constructor(readonly artifacts: MlModelArtifacts) {
    if (artifacts.fill.kind !== 'fill-probability') throw new Error(`the fill model is a ${artifacts.fill.kind} model`);
    if (artifacts.adverse.kind !== 'adverse-move') throw new Error(`the adverse-move model is a ${artifacts.adverse.kind} model`);
    if (!artifacts.impact.channels) throw new Error('the impact model has no impact-by-channel fit (train it again with sor train impact)');
    this.fill = new FillForward(artifacts.fill);
    this.adverse = new FillForward(artifacts.adverse);
    this.volatility = new VolForward(artifacts.volatility);
    this.toxicity = new ToxicityForward(artifacts.toxicity);
    this.impact = new ImpactForward(artifacts.impact);
  }
}
