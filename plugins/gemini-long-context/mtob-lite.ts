// MTOB-lite: in-context translation of an invented language from its "book" (the analogue of the
// paper's Kalamang experiment, §5.2.2.1, Tables 4–5, where Gemini 1.5 translates from a grammar, a
// wordlist and ~400 parallel sentences given in its context). A seeded generator invents the language:
//   - lexicon: the English nouns, verbs and adjectives below, each with a generated word (CV syllables);
//     nouns are in one of two classes (1: people and animals, 2: everything else);
//   - word order SOV; an adjective follows its noun; plural suffix -ri (class 1) / -mu (class 2);
//   - the object noun phrase ends in the case suffix -se, which becomes -he after a vowel (the
//     alternation of the paper's footnote 14);
//   - the verb takes a subject-class prefix (i- class 1, u- class 2) and a tense suffix (-na present,
//     -ta past).
// The book is English prose: the rules with glossed examples, the wordlist, and the parallel training
// sentences. Settings: zero-shot (no book), half-book (the rules, half the wordlist and half the
// sentences), full-book. Test sentences combine words in (subject, verb, object) triples that no
// training sentence has. Scored by chrF (chrf.ts) in both directions, plus exact match.
import type { Rng } from '../../harness/api/index.ts';

type Pos = 'noun' | 'verb' | 'adj';

export interface Lexeme {
  en: string;
  x: string;
  pos: Pos;
  /** Noun class (nouns only). */
  cls?: 1 | 2;
}

const ANIMATE = 'dog cat bird horse fish snake goat sheep cow pig lion tiger bear wolf fox rabbit mouse frog duck owl eagle crow monkey deer camel farmer hunter teacher doctor sailor soldier baker dancer singer painter child girl boy woman man king queen friend stranger neighbor merchant thief priest judge guard'.split(' ');
const INANIMATE = 'tree river stone house boat rope basket cup bowl knife spear drum shell flower leaf fruit seed road bridge door window roof wall fire lamp book letter coin ring hat shoe shirt blanket bed table chair pot net canoe hill field garden island cloud star'.split(' ');
/** Regular English verbs (past in -ed / -d), all transitive. */
const VERBS = 'watch help call follow visit push pull carry clean paint touch kick greet love hate like want need open close cook wash save thank chase guard count fix fill lift mark miss move paint pick place reach share smell test trust turn'.split(' ');
const ADJECTIVES = 'big small old young red black white green tall short long heavy light quiet loud happy sad clever brave wild warm cold new dry wet strong weak rich poor'.split(' ');

const CONSONANTS = 'p t k m n s l r w y b d g'.split(' ');
const VOWELS = 'a e i o u'.split(' ');

export interface Conlang {
  lexicon: Lexeme[];
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];

function word(rng: Rng, syllables: number, endsInConsonant: boolean): string {
  let w = '';
  for (let i = 0; i < syllables; i++) w += pick(rng, CONSONANTS) + pick(rng, VOWELS);
  return endsInConsonant ? w + pick(rng, ['n', 'k', 'l', 's', 't']) : w;
}

export function generateConlang(rng: Rng): Conlang {
  const used = new Set<string>(['ri', 'mu', 'se', 'he', 'na', 'ta']);
  const lexicon: Lexeme[] = [];
  const add = (en: string, pos: Pos, cls?: 1 | 2) => {
    let x: string;
    do x = word(rng, rng.int(2) + 2, rng.next() < 0.5);
    while (used.has(x));
    used.add(x);
    lexicon.push({ en, x, pos, ...(cls ? { cls } : {}) });
  };
  for (const en of ANIMATE) add(en, 'noun', 1);
  for (const en of INANIMATE) add(en, 'noun', 2);
  for (const en of [...new Set(VERBS)]) add(en, 'verb');
  for (const en of ADJECTIVES) add(en, 'adj');
  return { lexicon };
}

export interface NounPhrase {
  noun: Lexeme;
  plural: boolean;
  adj?: Lexeme;
}

export interface Sentence {
  subject: NounPhrase;
  verb: Lexeme;
  past: boolean;
  object: NounPhrase;
}

// English side.
const plural = (noun: string) => (/(s|sh|ch|x)$/.test(noun) ? `${noun}es` : noun === 'child' ? 'children' : noun === 'man' ? 'men' : noun === 'woman' ? 'women' : noun === 'mouse' ? 'mice' : /[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : noun === 'wolf' ? 'wolves' : noun === 'knife' ? 'knives' : noun === 'leaf' ? 'leaves' : `${noun}s`);
const pastOf = (verb: string) => (verb.endsWith('e') ? `${verb}d` : `${verb}ed`);
const thirdPerson = (verb: string) => (/(s|sh|ch|x)$/.test(verb) ? `${verb}es` : `${verb}s`);

function englishNp(np: NounPhrase): string {
  return ['the', np.adj?.en, np.plural ? plural(np.noun.en) : np.noun.en].filter(Boolean).join(' ');
}

export function toEnglish(s: Sentence): string {
  const verb = s.past ? pastOf(s.verb.en) : s.subject.plural ? s.verb.en : thirdPerson(s.verb.en);
  return `${englishNp(s.subject)} ${verb} ${englishNp(s.object)}`;
}

// Invented-language side.
const isVowel = (ch: string) => VOWELS.includes(ch);

function xNp(np: NounPhrase, object: boolean): string {
  const words = [np.plural ? np.noun.x + (np.noun.cls === 1 ? 'ri' : 'mu') : np.noun.x];
  if (np.adj) words.push(np.adj.x);
  if (object) {
    const last = words[words.length - 1];
    words[words.length - 1] = last + (isVowel(last.at(-1)!) ? 'he' : 'se');
  }
  return words.join(' ');
}

export function toConlang(s: Sentence): string {
  const verb = `${s.subject.noun.cls === 1 ? 'i' : 'u'}${s.verb.x}${s.past ? 'ta' : 'na'}`;
  return `${xNp(s.subject, false)} ${xNp(s.object, true)} ${verb}`;
}

function randomNp(rng: Rng, nouns: Lexeme[], adjectives: Lexeme[], noun?: Lexeme): NounPhrase {
  return { noun: noun ?? pick(rng, nouns), plural: rng.next() < 0.3, ...(rng.next() < 0.4 ? { adj: pick(rng, adjectives) } : {}) };
}

export interface MtobMaterials {
  /** The rules with glossed examples (English prose). */
  grammar: string;
  /** `word = English (part of speech)` lines. */
  wordlist: Lexeme[];
  /** Parallel training sentences. */
  parallel: Array<{ en: string; x: string }>;
}

export interface MtobData {
  lang: Conlang;
  train: Sentence[];
  test: Sentence[];
}

/** 400 training and `testCount` test sentences; a test sentence's (subject, verb, object) triple is in no training sentence. */
export function generateData(rng: Rng, trainCount = 400, testCount = 100): MtobData {
  const lang = generateConlang(rng.fork('lexicon'));
  const nouns = lang.lexicon.filter((l) => l.pos === 'noun');
  const verbs = lang.lexicon.filter((l) => l.pos === 'verb');
  const adjectives = lang.lexicon.filter((l) => l.pos === 'adj');
  const draw = (r: Rng): Sentence => ({ subject: randomNp(r, nouns, adjectives), verb: pick(r, verbs), past: r.next() < 0.5, object: randomNp(r, nouns, adjectives) });
  const triple = (s: Sentence) => `${s.subject.noun.en}|${s.verb.en}|${s.object.noun.en}`;
  const trainRng = rng.fork('train');
  const train = Array.from({ length: trainCount }, () => draw(trainRng));
  const seen = new Set(train.map(triple));
  const testRng = rng.fork('test');
  const test: Sentence[] = [];
  while (test.length < testCount) {
    const s = draw(testRng);
    if (!seen.has(triple(s))) {
      seen.add(triple(s));
      test.push(s);
    }
  }
  return { lang, train, test };
}

export type MtobSetting = 'zero-shot' | 'half-book' | 'full-book';
export const MTOB_SETTINGS: readonly MtobSetting[] = ['zero-shot', 'half-book', 'full-book'];
export const LANGUAGE_NAME = 'Kalami';

function grammarText(data: MtobData): string {
  const example = (s: Sentence) => `  ${toConlang(s)}\n  '${toEnglish(s)}'`;
  const withObjVowel = data.train.find((s) => isVowel(xNp(s.object, false).at(-1)!))!;
  const withObjConsonant = data.train.find((s) => !isVowel(xNp(s.object, false).at(-1)!))!;
  const pluralSubject = data.train.find((s) => s.subject.plural)!;
  const past = data.train.find((s) => s.past)!;
  return [
    `A grammar of ${LANGUAGE_NAME}`,
    '',
    `1. Word order. ${LANGUAGE_NAME} puts the subject first, then the object, then the verb (SOV). There are no articles: "the" is not translated.`,
    `2. Adjectives follow the noun they describe.`,
    `3. Noun classes. Every noun belongs to class 1 (people and animals) or class 2 (everything else). The wordlist gives each noun's class.`,
    `4. Plural. A plural noun takes the suffix -ri in class 1 and -mu in class 2, attached to the noun itself (before any adjective).`,
    `5. Object case. The last word of the object phrase takes the suffix -se; after a vowel the suffix is -he instead.`,
    example(withObjConsonant),
    example(withObjVowel),
    `6. The verb begins with a prefix that agrees with the class of the subject: i- for class 1, u- for class 2.`,
    `7. Tense. The verb ends in -na in the present and -ta in the past.`,
    example(pluralSubject),
    example(past),
  ].join('\n');
}

/** What a learner gets in context for a setting. */
export function materials(data: MtobData, setting: MtobSetting): MtobMaterials {
  if (setting === 'zero-shot') return { grammar: '', wordlist: [], parallel: [] };
  const half = setting === 'half-book';
  const wordlist = half ? data.lang.lexicon.filter((_, i) => i % 2 === 0) : data.lang.lexicon;
  const sentences = half ? data.train.slice(0, data.train.length / 2) : data.train;
  return { grammar: grammarText(data), wordlist, parallel: sentences.map((s) => ({ en: toEnglish(s), x: toConlang(s) })) };
}

/** The materials as one text for a language model's context. */
export function bookText(m: MtobMaterials): string {
  if (!m.grammar && !m.wordlist.length && !m.parallel.length) return '';
  return [
    m.grammar,
    '',
    'Wordlist',
    ...m.wordlist.map((l) => `${l.x} = ${l.en} (${l.pos}${l.cls ? `, class ${l.cls}` : ''})`),
    '',
    'Parallel sentences',
    ...m.parallel.map((p) => `${p.x} = ${p.en}`),
  ].join('\n');
}

// The two reference learners. They read only the materials of their setting.

/** Word-by-word lookup in the wordlist, English word order kept, no morphology ("the" dropped). */
export function dictionaryOnly(m: MtobMaterials, text: string, direction: 'en-x' | 'x-en'): string {
  const map = new Map(m.wordlist.map((l) => (direction === 'en-x' ? [l.en, l.x] : [l.x, l.en])));
  return text
    .split(/\s+/)
    .filter((w) => !(direction === 'en-x' && w === 'the'))
    .map((w) => map.get(w) ?? w)
    .join(' ');
}

/** A learner that applies the grammar's rules (when the book is given) with the wordlist it has. */
export function ruleAware(m: MtobMaterials, text: string, direction: 'en-x' | 'x-en'): string {
  if (!m.grammar) return dictionaryOnly(m, text, direction);
  return direction === 'en-x' ? ruleAwareToX(m, text) : ruleAwareToEnglish(m, text);
}

function englishIndex(m: MtobMaterials) {
  const byEn = new Map<string, Lexeme>();
  for (const l of m.wordlist) {
    byEn.set(l.en, l);
    if (l.pos === 'noun') byEn.set(plural(l.en), l);
    if (l.pos === 'verb') {
      byEn.set(pastOf(l.en), l);
      byEn.set(thirdPerson(l.en), l);
    }
  }
  return byEn;
}

function ruleAwareToX(m: MtobMaterials, text: string): string {
  const byEn = englishIndex(m);
  const words = text.split(/\s+/).filter((w) => w !== 'the');
  const verbAt = words.findIndex((w) => byEn.get(w)?.pos === 'verb' || /ed$/.test(w));
  if (verbAt < 0) return dictionaryOnly(m, text, 'en-x');
  const np = (ws: string[]): { text: string[]; cls: 1 | 2 } => {
    const noun = ws.find((w) => byEn.get(w)?.pos === 'noun') ?? ws[ws.length - 1];
    const lex = byEn.get(noun);
    const isPlural = lex ? noun !== lex.en : /s$/.test(noun);
    const cls = lex?.cls ?? 2;
    const adj = ws.filter((w) => w !== noun).map((w) => byEn.get(w)?.x ?? w);
    return { text: [(lex?.x ?? noun) + (isPlural ? (cls === 1 ? 'ri' : 'mu') : ''), ...adj], cls };
  };
  const subject = np(words.slice(0, verbAt));
  const object = np(words.slice(verbAt + 1));
  const last = object.text.length - 1;
  object.text[last] += isVowel(object.text[last].at(-1)!) ? 'he' : 'se';
  const verbWord = words[verbAt];
  const verb = byEn.get(verbWord);
  const past = verb ? verbWord === pastOf(verb.en) && verbWord !== verb.en : /ed$/.test(verbWord);
  return [...subject.text, ...object.text, `${subject.cls === 1 ? 'i' : 'u'}${verb?.x ?? verbWord}${past ? 'ta' : 'na'}`].join(' ');
}

function ruleAwareToEnglish(m: MtobMaterials, text: string): string {
  const byX = new Map(m.wordlist.map((l) => [l.x, l]));
  const words = text.split(/\s+/);
  const verbWord = words[words.length - 1];
  const stem = verbWord.slice(1, -2);
  const verb = byX.get(stem);
  const body = words.slice(0, -1);
  const strip = (w: string) => (/(se|he)$/.test(w) ? w.slice(0, -2) : w);
  const isAdj = (w: string) => byX.get(strip(w))?.pos === 'adj';
  // Subject and object phrases are a noun with an optional adjective after it.
  let subjectLength = 1;
  if (body.length >= 4) subjectLength = 2;
  else if (body.length === 3) subjectLength = isAdj(body[1]) ? 2 : isAdj(body[2]) ? 1 : 1;
  const phrase = (ws: string[]) => {
    const noun = ws[0];
    const suffixed = /(ri|mu)$/.test(noun) && !byX.has(noun);
    const lex = byX.get(suffixed ? noun.slice(0, -2) : noun);
    const isPlural = suffixed && (lex !== undefined || true);
    const en = lex ? (isPlural ? plural(lex.en) : lex.en) : suffixed ? noun.slice(0, -2) : noun;
    const adjs = ws.slice(1).map((w) => byX.get(w)?.en ?? w);
    return { text: ['the', ...adjs, en].join(' '), plural: isPlural };
  };
  const subject = phrase(body.slice(0, subjectLength));
  const objectWords = body.slice(subjectLength);
  const object = phrase(objectWords.map((w, i) => (i === objectWords.length - 1 ? strip(w) : w)));
  const en = verb?.en ?? stem;
  const verbEn = verbWord.endsWith('ta') ? pastOf(en) : subject.plural ? en : thirdPerson(en);
  return `${subject.text} ${verbEn} ${object.text}`;
}
