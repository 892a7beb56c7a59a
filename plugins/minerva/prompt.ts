// The fixed 4-shot MATH prompt of Minerva, as the reference builds it: the four exemplars of
// EleutherAI lm-evaluation-harness `lm_eval/tasks/minerva_math/utils.py` (MIT licence, commit
// 0348ed97, originally wellecks/lm-evaluation-harness), each "Problem:\n…\n\nSolution:\n…" ending in
// "Final Answer: The final answer is $X$. I hope it is correct.", separated by blank lines; the test
// item ends with "Problem:\n{problem}\n\nSolution:". The exemplar texts are kept byte for byte, the
// first problem's stray "}" included.

export interface Exemplar {
  problem: string;
  solution: string;
}

export const MINERVA_EXEMPLARS: readonly Exemplar[] = [
  {
    problem: String.raw`Find the domain of the expression  $\frac{\sqrt{x-2}}{\sqrt{5-x}}$.}`,
    solution: String.raw`The expressions inside each square root must be non-negative. Therefore, $x-2 \ge 0$, so $x\ge2$, and $5 - x \ge 0$, so $x \le 5$. Also, the denominator cannot be equal to zero, so $5-x>0$, which gives $x<5$. Therefore, the domain of the expression is $\boxed{[2,5)}$.
Final Answer: The final answer is $[2,5)$. I hope it is correct.`,
  },
  {
    problem: String.raw`If $\det \mathbf{A} = 2$ and $\det \mathbf{B} = 12,$ then find $\det (\mathbf{A} \mathbf{B}).$`,
    solution: String.raw`We have that $\det (\mathbf{A} \mathbf{B}) = (\det \mathbf{A})(\det \mathbf{B}) = (2)(12) = \boxed{24}.$
Final Answer: The final answer is $24$. I hope it is correct.`,
  },
  {
    problem: 'Terrell usually lifts two 20-pound weights 12 times. If he uses two 15-pound weights instead, how many times must Terrell lift them in order to lift the same total weight?',
    solution: String.raw`If Terrell lifts two 20-pound weights 12 times, he lifts a total of $2\cdot 12\cdot20=480$ pounds of weight.  If he lifts two 15-pound weights instead for $n$ times, he will lift a total of $2\cdot15\cdot n=30n$ pounds of weight.  Equating this to 480 pounds, we can solve for $n$:
\begin{align*}
30n&=480\\
\Rightarrow\qquad n&=480/30=\boxed{16}
\end{align*}
Final Answer: The final answer is $16$. I hope it is correct.`,
  },
  {
    problem: String.raw`If the system of equations

\begin{align*}
6x-4y&=a,\\
6y-9x &=b.
\end{align*}has a solution $(x, y)$ where $x$ and $y$ are both nonzero,
find $\frac{a}{b},$ assuming $b$ is nonzero.`,
    solution: String.raw`If we multiply the first equation by $-\frac{3}{2}$, we obtain

$$6y-9x=-\frac{3}{2}a.$$Since we also know that $6y-9x=b$, we have

$$-\frac{3}{2}a=b\Rightarrow\frac{a}{b}=\boxed{-\frac{2}{3}}.$$
Final Answer: The final answer is $-\frac{2}{3}$. I hope it is correct.`,
  },
];

/** The reference's stop sequence: generation ends where the model starts a new problem. */
export const STOP_SEQUENCE = 'Problem:';
/** The reference's generation limit (tokens). */
export const MAX_GENERATION_TOKENS = 512;

/** One problem/solution block of the prompt layout. */
export const exemplarBlock = (e: Exemplar): string => `Problem:\n${e.problem}\n\nSolution:\n${e.solution}`;

/** The exemplars joined by blank lines: the fixed part of every MATH prompt. */
export const FEW_SHOT_PREFIX = MINERVA_EXEMPLARS.map(exemplarBlock).join('\n\n');

/** The full 4-shot prompt for one problem. */
export function mathPrompt(problem: string): string {
  return `${FEW_SHOT_PREFIX}\n\nProblem:\n${problem}\n\nSolution:`;
}
