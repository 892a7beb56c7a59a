"""Writes ../data/normalization-inputs.jsonl: MATH-style final answers and solution endings in many
surface forms (fractions, radicals, intervals, units, \\text{}, comma numbers, \\boxed, dollars) plus
the porting pitfalls of Appendix D. Seeded; a tool, never imported by the harness.

    python3 make_normalization_inputs.py && python3 normalize_reference.py \
        < ../data/normalization-inputs.jsonl > ../data/normalization-golden.jsonl
"""
import json
import os
import random

rng = random.Random(2206)

ATOMS = [
    lambda: str(rng.randint(-50, 500)),
    lambda: f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}",
    lambda: f"{rng.randint(1, 99)},{rng.randint(0, 999):03d},{rng.randint(0, 999):03d}",
    lambda: f"\\frac{{{rng.randint(1, 30)}}}{{{rng.randint(2, 40)}}}",
    lambda: f"\\dfrac{{{rng.randint(1, 30)}}}{{{rng.randint(2, 40)}}}",
    lambda: f"\\frac{rng.randint(1, 9)}{rng.randint(2, 9)}",
    lambda: f"-\\frac{{{rng.randint(1, 9)}}}{{{rng.randint(2, 9)}}}",
    lambda: f"{rng.randint(1, 9)}/{rng.randint(2, 9)}",
    lambda: f"\\sqrt{{{rng.randint(2, 99)}}}",
    lambda: f"{rng.randint(2, 9)}\\sqrt{{{rng.randint(2, 30)}}}",
    lambda: f"\\sqrt{rng.randint(2, 9)}",
    lambda: f"\\frac{{\\sqrt{{{rng.randint(2, 9)}}}}}{{{rng.randint(2, 9)}}}",
    lambda: f"[{rng.randint(-9, 0)},{rng.randint(1, 9)})",
    lambda: f"(-\\infty,{rng.randint(-5, 5)}]",
    lambda: f"({rng.randint(-5, 0)}, \\infty)",
    lambda: f"({rng.randint(-9, 9)},{rng.randint(-9, 9)})",
    lambda: f"{rng.randint(1, 99)}\\text{{ cm}}",
    lambda: f"{rng.randint(1, 99)} \\text{{ inches}}",
    lambda: f"{rng.randint(1, 99)}\\text{{ m}}",
    lambda: f"{rng.randint(1, 99)}^\\circ",
    lambda: f"{rng.randint(1, 99)}^{{\\circ}}",
    lambda: f"\\${rng.randint(1, 99)}.{rng.randint(0, 99):02d}",
    lambda: f"{rng.randint(1, 99)} dollars",
    lambda: f"\\text{{{rng.choice(['(A)', '(B)', 'C', 'Monday', 'even', 'a banana'])}}}",
    lambda: f"\\textbf{{{rng.choice(['(C)', 'yes', 'odd'])}}}",
    lambda: f"0.\\overline{{{rng.randint(1, 99)}}}",
    lambda: f"{rng.randint(1, 9)}\\pi",
    lambda: f"\\frac{{{rng.randint(1, 9)}\\pi}}{{{rng.randint(2, 9)}}}",
    lambda: f"x^2+{rng.randint(1, 9)}x+{rng.randint(1, 9)}",
    lambda: f"{rng.randint(1, 9)}x-{rng.randint(1, 9)}",
    lambda: f"\\mbox{{{rng.randint(1, 99)} feet}}",
    lambda: f"{rng.randint(1, 9)},\\!{rng.randint(100, 999)}",
    lambda: f"{rng.randint(1, 9)}{{,}}{rng.randint(100, 999)}",
    lambda: f"{rng.randint(1, 9)}\\text{{ and }}{rng.randint(1, 9)}",
    lambda: f"{rng.randint(1, 9)},\\text{{and}}{rng.randint(1, 9)}",
    lambda: f"{rng.randint(1, 9)}, {rng.randint(1, 9)}, \\ldots",
    lambda: f"{rng.randint(1, 99)}\\%",
    lambda: f"{rng.randint(1, 9)}\\;\\text{{ hours}}",
    lambda: f"{rng.randint(10, 99)}\\mathrm{{th}}",
    lambda: f"\\{{{rng.randint(1, 9)},{rng.randint(1, 9)}\\}}",
    lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 99)}",
    lambda: f"\\pm{rng.randint(1, 9)}",
    lambda: f"{rng.randint(1, 9)}\\text{{\ns}}",
]

PITFALLS = [
    "", " ", "=", "x=", "a=b=c", "banana ", "an apple", "a ", "$", "$$", "$5$", "$5", "5$", "$x=5$", "x = 5",
    "\\$", "\\$5", "\\boxed{5}", "\\boxed{\\frac{1}{2}}", "\\boxed 5", "\\boxed{}", "\\boxed{5",
    "\\fbox{7}", "\\text{}", "\\text{}^2", "5\\text{}^3", "1,000", "1,000,000", ",", ",,", "1,2,3", "12,", ",12",
    "²", "1²", "٣", "١٢٣", "①", "x\r=y", "$1$\r$2$", "$1$\n$2$", "a\nb", "\\fracab", "\\fracabc", "\\frac1", "\\sqrt",
    "\\sqrtab", "\\sqrt{2}", "frac\n12", "sqrt\n", "\\text{abc}\\text{def}", "\\text{a}\n\\text{b}", "😀frac😀😀",
    "sqrt😀", "\\text{😀}", "\u2028$1$", "$1$\u2028$2$", "\u00a05\u00a0", "\ufeff5", "\\text{\n}", "\\text{s}", "5\\text{.}",
    "\\dots", "1\\dots", "\"5\"", "sue", "issue", "units digit", "30 students", "\\overline{AB}", "\\textbf{bold}",
    "\\boxed{\\boxed{1}}", "{,}", "5.$", "5.$$", "the answer is a", "Final Answer: The final answer is $5$. I hope it is correct.",
]

WRAPPERS = [
    lambda a: a,
    lambda a: f"${a}$",
    lambda a: f"\\boxed{{{a}}}",
    lambda a: f"$\\boxed{{{a}}}$",
    lambda a: f"x = {a}",
    lambda a: f"The answer is ${a}$.",
    lambda a: f" {a} ",
    lambda a: f"{a}.",
    lambda a: f"$x={a}$",
]

SOLUTION_ENDINGS = [
    lambda a: f"We compute the value.\nFinal Answer: The final answer is ${a}$. I hope it is correct.",
    lambda a: f"So the answer is $\\boxed{{{a}}}$.",
    lambda a: f"Final Answer: The final answer is ${a}$.",
    lambda a: f"Final Answer: The final answer is {a}. I hope it is correct.\n\nProblem:",
    lambda a: f"First $\\boxed{{1}}$, then $\\boxed{{{a}}}$.",
    lambda a: f"No answer here: {a}",
    lambda a: f"Final Answer: The final answer is\n${a}$. I hope it is correct.",
]


def main():
    inputs = list(PITFALLS)
    while len(inputs) < 520:
        inputs.append(rng.choice(WRAPPERS)(rng.choice(ATOMS)()))
    while len(inputs) < 640:
        inputs.append(rng.choice(SOLUTION_ENDINGS)(rng.choice(ATOMS)()))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "normalization-inputs.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for s in inputs:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    print(f"{len(inputs)} inputs -> {out}")


if __name__ == "__main__":
    main()
