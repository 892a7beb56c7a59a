// Answer extraction and normalization of the Minerva MATH evaluation, written from the function the
// paper prints in Appendix D of arXiv 2206.14858 (the evaluation reference, lm-evaluation-harness
// `minerva_math`, uses the same function). Every function behaves like the Python function on every
// string, which scripts/normalize_reference.py (written from the paper too) and the golden set pin.
//
// Python-to-JS notes (each one changes outputs when missed):
// - Python `str.replace` replaces every occurrence: here a function replacement with `split/join`
//   (a string replacement would give `$` patterns their JS meaning).
// - Python `re.sub` replaces every match: every regex has the `g` flag.
// - Python's `.` matches any code point but `\n`; JS's `.` also refuses `\r`, U+2028 and U+2029, and
//   without the `u` flag sees UTF-16 halves: hence `[^\n]` and the `u` flag.
// - Python `str.isdigit()` is false for "" and true for every Unicode decimal digit and for the
//   superscript, subscript and circled digits (Numeric_Type = Digit); JS `\d` is ASCII only.

export const INVALID_ANSWER = '[invalidanswer]';

/** Appendix D, step 2: (before, after) pairs applied in order with Python `str.replace`. */
export const SUBSTITUTIONS: readonly (readonly [string, string])[] = [
  ['an ', ''], ['a ', ''], ['.$', '$'], ['\\$', ''], ['\\ ', ''], [' ', ''],
  ['mbox', 'text'], [',\\text{and}', ','], ['\\text{and}', ','], ['\\text{m}', '\\text{}'],
];

/** Appendix D, step 3: deleted in order. "\\text{\ns}" holds a newline, as the Python literal does. */
export const REMOVED_EXPRESSIONS: readonly string[] = [
  'square', 'ways', 'integers', 'dollars', 'mph', 'inches', 'ft', 'hours', 'km', 'units', '\\ldots', 'sue', 'points',
  'feet', 'minutes', 'digits', 'cents', 'degrees', 'cm', 'gm', 'pounds', 'meters', 'meals', 'edges', 'students',
  'childrentickets', 'multiples', '\\text{s}', '\\text{.}', '\\text{\ns}', '\\text{}^2', '\\text{}^3', '\\text{\n}',
  '\\text{}', '\\mathrm{th}', '^\\circ', '^{\\circ}', '\\;', ',\\!', '{,}', '"', '\\dots',
];

const replaceEvery = (s: string, before: string, after: string): string => s.split(before).join(after);

/** Characters for which Python's str.isdigit() is true besides the decimal digits (\p{Nd}). */
const NON_DECIMAL_DIGITS =
  '\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff' +
  '\u2776-\u277e\u2780-\u2788\u278a-\u2792\u{10a40}-\u{10a43}\u{10e60}-\u{10e68}\u{11052}-\u{1105a}\u{1f100}-\u{1f10a}';
const IS_DIGIT = new RegExp(`^[\\p{Nd}${NON_DECIMAL_DIGITS}]+$`, 'u');

/** Python's `str.isdigit()`. */
export const pythonIsDigit = (s: string): boolean => IS_DIGIT.test(s);

const DOLLAR_SPAN = /([^\n]*?)(\$)([^\n]*?)(\$)([^\n]*)/gu;
const TEXT = /(\\text\{)([^\n]*?)(\})/gu;
const TEXTBF = /(\\textbf\{)([^\n]*?)(\})/gu;
const OVERLINE = /(\\overline\{)([^\n]*?)(\})/gu;
const BOXED = /(\\boxed\{)([^\n]*)(\})/gu;
const FRAC_SHORTHAND = /(frac)([^{])([^\n])/gu;
const SQRT_SHORTHAND = /(sqrt)([^{])/gu;

/** `normalize_final_answer` of Appendix D, step for step. */
export function normalizeFinalAnswer(finalAnswer: string): string {
  let s = finalAnswer.split('=').at(-1)!;
  for (const [before, after] of SUBSTITUTIONS) s = replaceEvery(s, before, after);
  for (const expr of REMOVED_EXPRESSIONS) s = replaceEvery(s, expr, '');
  s = s.replace(DOLLAR_SPAN, (_m, _a, _d1, inner: string) => `$${inner}$`);
  s = s.replace(TEXT, (_m, _a, inner: string) => inner);
  s = s.replace(TEXTBF, (_m, _a, inner: string) => inner);
  s = s.replace(OVERLINE, (_m, _a, inner: string) => inner);
  s = s.replace(BOXED, (_m, _a, inner: string) => inner);
  s = s.replace(FRAC_SHORTHAND, (_m, _f, a: string, b: string) => `frac{${a}}{${b}}`);
  s = s.replace(SQRT_SHORTHAND, (_m, _s, a: string) => `sqrt{${a}}`);
  s = replaceEvery(s, '$', '');
  if (pythonIsDigit(replaceEvery(s, ',', ''))) s = replaceEvery(s, ',', '');
  return s;
}

/**
 * `last_boxed_only_string`: the last `\boxed{…}` (or `\fbox{…}`) with balanced braces, the `\boxed `
 * space form up to the next `$`, or null when there is none or its braces never close.
 */
export function lastBoxedOnlyString(s: string): string | null {
  let idx = s.lastIndexOf('\\boxed');
  if (s.includes('\\boxed ')) return `\\boxed ${s.split('\\boxed ').at(-1)!.split('$')[0]}`;
  if (idx < 0) {
    idx = s.lastIndexOf('\\fbox');
    if (idx < 0) return null;
  }
  let open = 0;
  for (let i = idx; i < s.length; i++) {
    if (s[i] === '{') open++;
    if (s[i] === '}') {
      open--;
      if (open === 0) return s.slice(idx, i + 1);
    }
  }
  return null;
}

/** `remove_boxed`: the content of `\boxed{…}` or of the `\boxed ` form; null where the Python asserts fail. */
export function removeBoxed(s: string): string | null {
  const spaced = '\\boxed ';
  if (s.includes(spaced)) return s.startsWith(spaced) ? s.slice(spaced.length) : null;
  const left = '\\boxed{';
  if (!s.startsWith(left) || !s.endsWith('}')) return null;
  return s.slice(left.length, -1);
}

const FINAL_ANSWER = /Final Answer: The final answer is([^\n]*?)[^\n] I hope it is correct[^\n]/u;

/**
 * `get_unnormalized_answer` (strict): append "I hope it is correct.", take the first
 * `Final Answer: The final answer is(.*?). I hope it is correct.` (unescaped dots, as in the
 * reference), strip it; INVALID_ANSWER when there is none.
 */
export function getUnnormalizedAnswer(text: string): string {
  const m = FINAL_ANSWER.exec(`${text}I hope it is correct.`);
  return m ? pythonStrip(m[1]) : INVALID_ANSWER;
}

const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_EDGES = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');

/** Python's `str.strip()`: whitespace as Python's str.isspace() defines it (JS \\s differs: U+FEFF, U+001C–U+001F, U+0085). */
export function pythonStrip(s: string): string {
  return s.replace(PY_SPACE_EDGES, '');
}

/** The gold answer of a MATH solution: normalize(remove_boxed(last_boxed_only_string(solution))), or null without a box. */
export function goldAnswer(solution: string): string | null {
  const boxed = lastBoxedOnlyString(solution);
  const inner = boxed === null ? null : removeBoxed(boxed);
  return inner === null ? null : normalizeFinalAnswer(inner);
}

/**
 * Flexible extraction (lm-evaluation-harness PRs #3192/#3775, issue #2539): the last `\boxed{}` /
 * `\fbox{}` of the generation first, else the strict Minerva phrase; normalized either way.
 */
export function flexibleAnswer(text: string): string {
  const boxed = lastBoxedOnlyString(text);
  if (boxed !== null) {
    const inner = boxed.startsWith('\\fbox{') ? boxed.slice('\\fbox{'.length, -1) : removeBoxed(boxed);
    if (inner !== null) return normalizeFinalAnswer(inner);
  }
  return strictAnswer(text);
}

/** Strict extraction, normalized; INVALID_ANSWER stays as it is. */
export function strictAnswer(text: string): string {
  const raw = getUnnormalizedAnswer(text);
  return raw === INVALID_ANSWER ? INVALID_ANSWER : normalizeFinalAnswer(raw);
}
