// The optimiser update as graph nodes: SGD with momentum (PyTorch semantics, as harness/nn/train.ts)
// and Adam (bias-corrected; L2 weight decay as train.ts or decoupled on matrices as
// harness/nn/lm/train-lm.ts; optional global-norm clipping). Per-step scalars (learning rate, Adam's
// bias corrections) are graph inputs computed in JS from the schedule.
import type { Graph, Value } from './graph.ts';

export type GraphOptimizer =
  | { kind: 'sgd'; momentum: number; nesterov?: boolean; weightDecay?: number }
  | {
      kind: 'adam';
      beta1?: number;
      beta2?: number;
      epsilon?: number;
      /** L2 added to the gradient (train.ts's Adam). */
      weightDecay?: number;
      /** Decoupled decay lr·wd·w on parameters of rank ≥ 2 (train-lm.ts's AdamW). */
      decoupledWeightDecay?: number;
      /** Global-norm clipping threshold (train-lm.ts). */
      clipNorm?: number;
    };

/** The scalar inputs the step graph takes for this optimiser. */
export function optimizerScalars(opt: GraphOptimizer): string[] {
  return opt.kind === 'sgd' ? ['lr'] : ['lr', 'adam_alpha', 'adam_vscale'];
}

/** Values of those scalars at 1-based step t with learning rate lr. */
export function optimizerScalarValues(opt: GraphOptimizer, lr: number, t: number): Record<string, number> {
  if (opt.kind === 'sgd') return { lr };
  const b1 = opt.beta1 ?? 0.9;
  const b2 = opt.beta2 ?? 0.999;
  return { lr, adam_alpha: lr / (1 - Math.pow(b1, t)), adam_vscale: 1 / (1 - Math.pow(b2, t)) };
}

/** Names of the state tensors kept per parameter. */
export function stateSlots(opt: GraphOptimizer): string[] {
  return opt.kind === 'sgd' ? ['velocity'] : ['m', 'v'];
}

/** Emits the update of `params` given `grads`; state values are graph inputs named
 * `${param}.${slot}`. Returns the new parameters and new state in slot-major order per parameter. */
export function emitUpdate(g: Graph, opt: GraphOptimizer, params: Value[], grads: Value[]): { params: Value[]; state: Value[][] } {
  const t = g.float;
  const scalars = Object.fromEntries(optimizerScalars(opt).map((name) => [name, g.input(name, [], t)]));
  const op = (name: string, inputs: Value[], shape: readonly number[]) => g.node(name, inputs, {}, shape, t);
  const c = (v: number) => g.scalar(v, t);
  let gs = grads;
  if (opt.kind === 'adam' && opt.clipNorm !== undefined) {
    const squares = gs.map((gr) => g.node('ReduceSumSquare', [gr], { keepdims: 0 }, [], t));
    const total = squares.reduce((a, b) => op('Add', [a, b], []));
    const norm = op('Sqrt', [total], []);
    const factor = op('Min', [c(1), op('Div', [c(opt.clipNorm), op('Add', [norm, c(1e-6)], [])], [])], []);
    gs = gs.map((gr) => op('Mul', [gr, factor], gr.shape));
  }
  const wd = opt.weightDecay ?? 0;
  if (wd > 0) gs = gs.map((gr, i) => op('Add', [gr, op('Mul', [params[i], c(wd)], gr.shape)], gr.shape));
  const newParams: Value[] = [];
  const newState: Value[][] = [];
  params.forEach((p, i) => {
    const gr = gs[i];
    const shape = p.shape;
    if (opt.kind === 'sgd') {
      const velocity = g.input(`${p.name}.velocity`, shape, t);
      const mu = opt.momentum;
      const v2 = mu > 0 ? op('Add', [op('Mul', [velocity, c(mu)], shape), gr], shape) : gr;
      const direction = opt.nesterov ? op('Add', [gr, op('Mul', [v2, c(mu)], shape)], shape) : v2;
      newParams.push(op('Sub', [p, op('Mul', [direction, scalars.lr], shape)], shape));
      newState.push([v2]);
      return;
    }
    const b1 = opt.beta1 ?? 0.9;
    const b2 = opt.beta2 ?? 0.999;
    const eps = opt.epsilon ?? 1e-8;
    const m = g.input(`${p.name}.m`, shape, t);
    const v = g.input(`${p.name}.v`, shape, t);
    const m2 = op('Add', [op('Mul', [m, c(b1)], shape), op('Mul', [gr, c(1 - b1)], shape)], shape);
    const v2 = op('Add', [op('Mul', [v, c(b2)], shape), op('Mul', [op('Mul', [gr, gr], shape), c(1 - b2)], shape)], shape);
    const denominator = op('Add', [op('Sqrt', [op('Mul', [v2, scalars.adam_vscale], shape)], shape), c(eps)], shape);
    let update = op('Div', [op('Mul', [m2, scalars.adam_alpha], shape), denominator], shape);
    const dwd = opt.decoupledWeightDecay ?? 0;
    if (dwd > 0 && shape.length >= 2) update = op('Add', [update, op('Mul', [p, op('Mul', [scalars.lr, c(dwd)], [])], shape)], shape);
    newParams.push(op('Sub', [p, update], shape));
    newState.push([m2, v2]);
  });
  return { params: newParams, state: newState };
}
