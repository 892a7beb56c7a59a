// The paper's claims as checks on a run: the fine-tuning analogue (suite algorithmic-prompting) and,
// with --model, the in-context results (suite algorithmic-prompting-icl), our numbers beside the paper's.
import type { Claim, ClaimVerdict, LeaderboardView, ResultRow } from '../../harness/api/index.ts';

const P = 'algorithmic-prompting';
const FINETUNE = `${P}/addition-finetune`;
const FORMATS = ['direct', 'scratchpad', 'algorithmic'] as const;

/** "Fits the training lengths": the precondition of the ordering claim. */
export const FIT_MIN = 0.9;
/** "OOD direct ≈ 0 %" read as at most this. */
export const DIRECT_OOD_MAX = 0.1;
/** The paper's error-reduction factors (abstract) and 19-digit addition accuracy (Table 2). */
export const PAPER_FACTORS: Record<string, number> = { parity: 10, addition: 9, multiplication: 5, subtraction: 2 };
export const PAPER_ADDITION_19 = 0.905;
/** The perturbation test needs a model that solves clean algorithmic prompts at least this often. */
export const CLEAN_MIN = 0.5;

const paramsOf = (r: ResultRow) => JSON.parse(r.params) as Record<string, unknown>;
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const values = (view: LeaderboardView, task: string, method: string, metric: string, where: (p: Record<string, unknown>) => boolean = () => true) =>
  view.rows.filter((r) => r.task === task && r.method === method && r.metric === metric && r.value !== null && Number.isFinite(r.value) && where(paramsOf(r))).map((r) => r.value!);

/** Per format: mean over seeds of acc-in-dist and acc-ood, and the per-seed OOD values. */
function finetuneSummary(view: LeaderboardView) {
  const out = new Map<string, { fit: number; ood: number; perSeed: number[] }>();
  for (const f of FORMATS) {
    const fit = values(view, FINETUNE, `${P}/${f}`, 'acc-in-dist');
    const ood = values(view, FINETUNE, `${P}/${f}`, 'acc-ood');
    if (fit.length && ood.length) out.set(f, { fit: mean(fit), ood: mean(ood), perSeed: ood });
  }
  return out;
}

const describe = (s: ReturnType<typeof finetuneSummary>) =>
  [...s].map(([f, v]) => `${f}: OOD ${pct(v.ood)} (seeds ${v.perSeed.map(pct).join(', ')}), in-dist ${pct(v.fit)}`).join('; ');

/** The ICL rows of one (model, task): accuracy beyond exemplar lengths per style for perturbation none. */
function iclModels(view: LeaderboardView): string[] {
  return [...new Set(view.rows.filter((r) => r.task.startsWith(`${P}/icl-`)).map((r) => r.method))].sort();
}

export const claims: Record<string, Claim> = {
  'finetune-format-ordering': {
    check(view): ClaimVerdict {
      const s = finetuneSummary(view);
      if (s.size < 3) return { status: 'not-checked', why: 'needs addition-finetune rows of all three formats' };
      const unfit = [...s].filter(([, v]) => v.fit < FIT_MIN).map(([f]) => f);
      if (unfit.length) return { status: 'not-checked', measured: describe(s), why: `precondition unmet: ${unfit.join(', ')} below ${pct(FIT_MIN)} on the training lengths, so an OOD ordering would compare under-trained models` };
      const [d, sp, a] = FORMATS.map((f) => s.get(f)!.ood);
      return {
        status: a > sp && sp > d ? 'holds' : 'fails',
        measured: describe(s),
        why: 'mean over seeds of acc-ood (trainMax+1…2·trainMax digits); the paper orders the prompt styles the same way in context (algorithmic > scratchpad > few-shot)',
      };
    },
  },
  'finetune-in-distribution-fit': {
    check(view): ClaimVerdict {
      const s = finetuneSummary(view);
      if (s.size < 3) return { status: 'not-checked', why: 'needs addition-finetune rows of all three formats' };
      return { status: [...s.values()].every((v) => v.fit >= FIT_MIN) ? 'holds' : 'fails', measured: describe(s), why: `acc-in-dist ≥ ${pct(FIT_MIN)} for every format (mean over seeds)` };
    },
  },
  'finetune-direct-ood-near-zero': {
    check(view): ClaimVerdict {
      const d = finetuneSummary(view).get('direct');
      if (!d) return { status: 'not-checked', why: 'no direct-format rows in this run' };
      return { status: d.ood <= DIRECT_OOD_MAX ? 'holds' : 'fails', measured: `direct OOD ${pct(d.ood)} (in-dist ${pct(d.fit)})`, why: `≤ ${pct(DIRECT_OOD_MAX)} beyond the training lengths` };
    },
  },

  'icl-error-reduction': {
    check(view): ClaimVerdict {
      const parts: string[] = [];
      let ok = true;
      for (const model of iclModels(view)) {
        for (const op of Object.keys(PAPER_FACTORS)) {
          const task = `${P}/icl-${op}`;
          const acc = (style: string) => values(view, task, model, 'acc-beyond-exemplar-lengths', (p) => p.style === style && (p.perturbation ?? 'none') === 'none');
          const algo = acc('algorithmic');
          const base = ['few-shot', 'scratchpad'].map((s) => ({ s, v: acc(s) })).filter((b) => b.v.length);
          if (!algo.length || !base.length) continue;
          const best = base.reduce((x, y) => (mean(y.v) > mean(x.v) ? y : x));
          const errAlgo = 1 - mean(algo);
          const errBase = 1 - mean(best.v);
          const factor = errAlgo === 0 ? (errBase === 0 ? 1 : Infinity) : errBase / errAlgo;
          ok &&= factor > 1;
          parts.push(`${model} ${op}: algorithmic ${pct(mean(algo))} vs ${best.s} ${pct(mean(best.v))} → ×${factor.toFixed(2)} (paper ≈ ×${PAPER_FACTORS[op]})`);
        }
      }
      if (!parts.length) return { status: 'not-checked', why: 'needs in-context rows of the algorithmic style and another style for some model: run the suite with --model <spec>' };
      return { status: ok ? 'holds' : 'fails', measured: parts.join('; '), why: 'error-reduction factor = (1 − acc of the best other style) / (1 − acc algorithmic), accuracy beyond the exemplar lengths, clean exemplars' };
    },
  },
  'icl-addition-19-digits': {
    check(view): ClaimVerdict {
      const parts: string[] = [];
      let ok = true;
      for (const model of iclModels(view)) {
        const v = values(view, `${P}/icl-addition`, model, 'acc-at-19', (p) => p.style === 'algorithmic' && (p.perturbation ?? 'none') === 'none');
        if (!v.length) continue;
        ok &&= mean(v) >= PAPER_ADDITION_19;
        parts.push(`${model}: ${pct(mean(v))}`);
      }
      if (!parts.length) return { status: 'not-checked', why: 'needs algorithmic-style 19-digit addition rows: run the full budget with --model <spec>' };
      return { status: ok ? 'holds' : 'fails', measured: parts.join('; '), why: `paper: ${pct(PAPER_ADDITION_19)} with Codex (code-davinci-002, 8k context)` };
    },
  },
  'icl-answer-right-steps-right': {
    check(view): ClaimVerdict {
      const parts: string[] = [];
      let ok = true;
      for (const model of iclModels(view)) {
        const clean = (r: ResultRow) => r.method === model && r.task.startsWith(`${P}/icl-`) && paramsOf(r).style === 'algorithmic' && (paramsOf(r).perturbation ?? 'none') === 'none' && r.value !== null && Number.isFinite(r.value);
        // units with no right answer have no value of the conditional rate: nothing to check there
        const rates = view.rows.filter((r) => clean(r) && r.metric === 'all-steps-right-given-answer-right');
        if (!rates.length) continue;
        const units = new Set(rates.map((r) => r.unit_key));
        const wrong = view.rows.filter((r) => clean(r) && r.metric === 'answer-right-steps-wrong' && units.has(r.unit_key)).reduce((s, r) => s + r.value!, 0);
        ok &&= wrong === 0 && rates.every((r) => r.value === 1);
        parts.push(`${model}: rate ${rates.map((r) => pct(r.value!)).join(', ')} over ${units.size} unit(s) with a right answer; ${wrong} right answers with a wrong step`);
      }
      if (!parts.length) return { status: 'not-checked', why: 'needs algorithmic-style in-context rows with at least one right answer: run the suite with --model <spec>' };
      return { status: ok ? 'holds' : 'fails', measured: parts.join('; '), why: 'every task and length with clean algorithmic exemplars (paper: 100 % of right answers have right steps)' };
    },
  },
  'icl-systematic-errors-collapse': {
    check(view): ClaimVerdict {
      const parts: string[] = [];
      const unmet: string[] = [];
      let checked = 0;
      let ok = true;
      for (const model of iclModels(view)) {
        const acc = (perturbation: string) =>
          values(view, `${P}/icl-addition`, model, 'acc', (p) => p.style === 'algorithmic' && (p.perturbation ?? 'none') === perturbation && Array.isArray(p.lengths) && (p.lengths as number[]).length > 0);
        const [clean, sys, irr] = ['none', 'systematic', 'irregular'].map(acc);
        if (!clean.length || !sys.length || !irr.length) continue;
        const [c, s, i] = [mean(clean), mean(sys), mean(irr)];
        parts.push(`${model}: clean ${pct(c)}, systematic ${pct(s)}, irregular ${pct(i)}`);
        if (c < CLEAN_MIN) {
          unmet.push(model);
          continue;
        }
        checked++;
        ok &&= s <= 0.1 * c && i >= c - 0.1;
      }
      if (parts.length && !checked) return { status: 'not-checked', measured: parts.join('; '), why: `precondition unmet: clean algorithmic accuracy below ${pct(CLEAN_MIN)} for ${unmet.join(', ')}, so a collapse cannot be told from a model that never executes the algorithm` };
      if (!parts.length) return { status: 'not-checked', why: 'needs algorithmic addition rows with clean, systematic and irregular exemplars: run the suite with --model <spec>' };
      return { status: ok ? 'holds' : 'fails', measured: parts.join('; '), why: 'accuracy (all lengths of each unit) of algorithmic addition prompts; paper: systematic ≈ 0 %, irregular a minor drop' };
    },
  },
};
