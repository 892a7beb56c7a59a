// Named trainable variables drawn from an Rng, for the state-space models (LayerNorm and GELU come
// from ../lm/layers.ts, shared with the Transformer).
import type { Rng } from '../../api/index.ts';
import type { Tf, TF } from '../lm/tf.ts';

/** Creates a trainable variable named `name` with the given values and records it in order. */
export type VariableFactory = (name: string, shape: number[], values: Float32Array) => TF.Variable;

let instances = 0;

/** A factory whose variables get a process-unique prefix (tfjs variable names must be unique). */
export function variableFactory(tf: Tf, kind: string): { make: VariableFactory; variables: TF.Variable[] } {
  const tag = `${kind}${++instances}`;
  const variables: TF.Variable[] = [];
  const make: VariableFactory = (name, shape, values) => {
    const v = tf.variable(tf.tensor(values, shape), true, `${tag}/${name}`);
    variables.push(v);
    return v;
  };
  return { make, variables };
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function normalVariable(make: VariableFactory, name: string, shape: number[], std: number, rng: Rng): TF.Variable {
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = std * rng.normal();
  return make(name, shape, values);
}

export function zerosVariable(make: VariableFactory, name: string, shape: number[]): TF.Variable {
  return make(name, shape, new Float32Array(sizeOf(shape)));
}

export function onesVariable(make: VariableFactory, name: string, shape: number[]): TF.Variable {
  return make(name, shape, new Float32Array(sizeOf(shape)).fill(1));
}

/** A variable viewed as the 1-D / 2-D tensor it holds (for typed ops). */
export const asVector = (v: TF.Variable) => v as TF.Tensor as TF.Tensor1D;
export const asMatrix = (v: TF.Variable) => v as TF.Tensor as TF.Tensor2D;
