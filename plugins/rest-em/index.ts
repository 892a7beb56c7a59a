// Plugin `rest-em`: "Beyond Human Data: Scaling Self-Training for Problem-Solving with Language
// Models" (ReST^EM, arXiv 2312.06585). The generate → verify → cap → fine-tune-from-base loop on two
// verifiable domains (word-problem arithmetic, toy list programs run in a sandbox) with a tiny
// Transformer sampled through the LanguageModel API, its baselines and ablations, pass@k / maj@k.
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { methods, tasks } from './task.ts';

export default definePlugin({ tasks, methods, claims });
