// Task `mtob-lite-translation` (mtob-lite.ts): translate held-out sentences in both directions with the
// setting's materials in context. The two reference learners are methods; any language model (--model)
// gets the book as its context, then one sentence at a time, greedy, up to a newline.
import type { ChatMessage, Json, LanguageModel, Method, MetricValues, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import { createRng } from '../../harness/api/index.ts';
import { chrF } from './chrf.ts';
import { bookText, dictionaryOnly, generateData, LANGUAGE_NAME, materials, MTOB_SETTINGS, ruleAware, toConlang, toEnglish, type MtobMaterials, type MtobSetting } from './mtob-lite.ts';

export interface MtobInstance {
  kind: 'mtob';
  setting: MtobSetting;
  materials: MtobMaterials;
  book: string;
  tests: Array<{ en: string; x: string }>;
}

export interface MtobOutput {
  toX: string[];
  toEnglish: string[];
}

const LANGUAGE_SEED = 0x6d746f62;

/** Tokens a model may generate per translation (a test sentence is at most 9 words). */
const TRANSLATION_TOKENS = 48;

export function translationPrompt(book: string, sentence: string, direction: 'en-x' | 'x-en'): string {
  const [from, to] = direction === 'en-x' ? ['English', LANGUAGE_NAME] : [LANGUAGE_NAME, 'English'];
  return `${book ? `${book}\n\n` : ''}Translate this ${from} sentence into ${to}.\n${from}: ${sentence}\n${to}:`;
}

export async function runMtob(lm: LanguageModel, inst: MtobInstance): Promise<MtobOutput> {
  const chat = lm.descriptor.chat && !!lm.chat;
  const translate = async (sentence: string, direction: 'en-x' | 'x-en') => {
    const prompt = translationPrompt(inst.book, sentence, direction);
    if (chat) {
      const messages: ChatMessage[] = [
        { role: 'system', content: `You translate between English and ${LANGUAGE_NAME}, a language described in the materials the user gives. Reply with the translation only, on one line.` },
        { role: 'user', content: prompt },
      ];
      const [reply] = await lm.chat!(messages, { maxTokens: TRANSLATION_TOKENS, temperature: 0 });
      return reply.text.split('\n')[0].trim();
    }
    const [completion] = await lm.complete(prompt, { maxTokens: TRANSLATION_TOKENS, temperature: 0, stop: ['\n'] });
    return completion.text.split('\n')[0].trim();
  };
  const toX: string[] = [];
  const toEn: string[] = [];
  for (const t of inst.tests) {
    toX.push(await translate(t.en, 'en-x'));
    toEn.push(await translate(t.x, 'x-en'));
  }
  return { toX, toEnglish: toEn };
}

export const mtobLiteTranslation: Task<MtobInstance, MtobOutput> = {
  version: 1,
  evaluate: (_ctx, inst, model) => runMtob(model, inst),
  prepare(ctx: RunContext, params) {
    const setting = params.setting as MtobSetting;
    if (!MTOB_SETTINGS.includes(setting)) throw new RangeError(`param setting must be one of ${MTOB_SETTINGS.join(', ')}, got ${JSON.stringify(params.setting)}`);
    const count = params.testSentences as number;
    // The language and its sentences depend on the seed index only (ctx.rng also depends on the
    // setting), so the three settings of one seed translate the same sentences of the same language.
    const data = generateData(createRng(LANGUAGE_SEED + ctx.seedIndex), 400, count);
    const m = materials(data, setting);
    return { kind: 'mtob', setting, materials: m, book: bookText(m), tests: data.test.map((s) => ({ en: toEnglish(s), x: toConlang(s) })) };
  },
  score(_ctx, inst, out): ScoreResult {
    const records: Json[] = inst.tests.map((t, i) => ({ en: t.en, x: t.x, toX: out.toX[i] ?? '', toEnglish: out.toEnglish[i] ?? '' }));
    return { metrics: mtobLiteTranslation.scoreRecords!(records, {}), records };
  },
  scoreRecords(records): MetricValues {
    const rs = records as Array<{ en: string; x: string; toX: string; toEnglish: string }>;
    const exact = rs.reduce((n, r) => n + (r.toX === r.x ? 1 : 0) + (r.toEnglish === r.en ? 1 : 0), 0);
    return {
      'chrf-eng-to-x': chrF(rs.map((r) => r.toX), rs.map((r) => r.x)),
      'chrf-x-to-eng': chrF(rs.map((r) => r.toEnglish), rs.map((r) => r.en)),
      'exact-match': exact / (2 * rs.length),
    };
  },
};

function learner(translate: typeof dictionaryOnly): Method<MtobInstance, MtobOutput> {
  return {
    task: 'mtob-lite-translation',
    run: (_ctx, inst) => ({
      toX: inst.tests.map((t) => translate(inst.materials, t.en, 'en-x')),
      toEnglish: inst.tests.map((t) => translate(inst.materials, t.x, 'x-en')),
    }),
  };
}

export const mtobMethods = { 'dictionary-only': learner(dictionaryOnly), 'rule-aware': learner(ruleAware) };
