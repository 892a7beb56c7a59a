"""Writes ../data/equivalence-pairs.jsonl: pairs of normalized MATH-style answers, about half of them
equivalent in another surface form (decimal vs fraction, rationalized radicals, expanded vs
factored, reordered sums, \\dfrac, \\pi forms) and half near misses (off by one, swapped, wrong
sign). Seeded; a tool, never imported by the harness.
"""
import json
import os
import random
from fractions import Fraction
from math import gcd

rng = random.Random(14858)


def frac(p, q):
    return f"-\\frac{{{-p}}}{{{q}}}" if p < 0 else f"\\frac{{{p}}}{{{q}}}"


def reduced():
    while True:
        p, q = rng.randint(1, 30), rng.randint(2, 16)
        if gcd(p, q) == 1:
            return p, q


def decimal_of(p, q):
    x = Fraction(p, q)
    d = q
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    return None if d != 1 else format(float(x), "g")


def pairs():
    kinds = []
    # integers
    kinds.append(lambda: (lambda n: (str(n), str(n + rng.choice([1, -1, 10]))))(rng.randint(-99, 999)))
    kinds.append(lambda: (lambda n: (str(n), f"{n}.0"))(rng.randint(0, 99)))
    kinds.append(lambda: (lambda a, b: (str(a * b), f"{a}\\cdot{b}"))(rng.randint(2, 12), rng.randint(2, 12)))
    kinds.append(lambda: (lambda a, b: (str(a + b), f"{a}+{b}"))(rng.randint(2, 50), rng.randint(2, 50)))
    # fractions
    def f1():
        p, q = reduced()
        k = rng.randint(2, 5)
        return frac(p, q), frac(p * k, q * k)
    def f2():
        p, q = reduced()
        return frac(p, q), f"\\dfrac{{{p}}}{{{q}}}"
    def f3():
        p, q = reduced()
        return frac(p, q), f"{p}/{q}"
    def f4():
        p, q = reduced()
        d = decimal_of(p, q)
        return (frac(p, q), d) if d else (frac(p, q), frac(p + 1, q))
    def f5():
        p, q = reduced()
        return frac(p, q), frac(q, p) if p != q else frac(p, q + 1)
    def f6():
        p, q = reduced()
        return f"-{frac(p, q)}", frac(-p, q)
    def f7():
        p, q = reduced()
        return f"-{frac(p, q)}", frac(p, q)
    kinds += [f1, f2, f3, f4, f5, f6, f7]
    # radicals
    def r1():
        a = rng.choice([2, 3, 5, 6, 7])
        k = rng.randint(2, 5)
        return f"{k}\\sqrt{{{a}}}", f"\\sqrt{{{k * k * a}}}"
    def r2():
        a = rng.choice([2, 3, 5, 6, 7])
        return f"\\frac{{1}}{{\\sqrt{{{a}}}}}", f"\\frac{{\\sqrt{{{a}}}}}{{{a}}}"
    def r3():
        a = rng.choice([2, 3, 5, 6, 7])
        k = rng.randint(2, 5)
        return f"{k}\\sqrt{{{a}}}", f"\\sqrt{{{k * k * a + 1}}}"
    def r4():
        a, b = rng.choice([(2, 3), (3, 5), (2, 5)])
        return f"\\sqrt{{{a}}}\\sqrt{{{b}}}", f"\\sqrt{{{a * b}}}"
    kinds += [r1, r2, r3, r4]
    # polynomials and expressions
    def p1():
        a = rng.randint(1, 9)
        return f"x^2+{2 * a}x+{a * a}", f"(x+{a})^2"
    def p2():
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        return f"{a}x-{b}", f"-{b}+{a}x"
    def p3():
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        return f"{a}x+{b}", f"{a}x-{b}"
    def p4():
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        return f"(x+{a})(x+{b})", f"x^2+{a + b}x+{a * b}"
    def p5():
        a = rng.randint(2, 9)
        return f"x^2-{a * a}", f"(x-{a})(x+{a})"
    def p6():
        a = rng.randint(2, 9)
        return f"x^2-{a * a}", f"(x-{a})^2"
    kinds += [p1, p2, p3, p4, p5, p6]
    # pi, powers, percentages, trig
    def t1():
        p, q = reduced()
        return f"\\frac{{{p}\\pi}}{{{q}}}", f"\\frac{{{p}}}{{{q}}}\\pi"
    def t2():
        k = rng.randint(2, 9)
        return f"{k}\\pi", f"\\pi\\cdot{k}"
    def t3():
        a, b = rng.randint(2, 5), rng.randint(2, 4)
        return f"{a}^{b}", str(a ** b)
    def t4():
        a, b = rng.randint(2, 5), rng.randint(2, 4)
        return f"{a}^{b}", str(a ** b + 1)
    def t5():
        return rng.choice([("\\sin\\frac{\\pi}{6}", "\\frac{1}{2}"), ("\\cos0", "1"), ("\\sqrt{4}", "2"), ("e^0", "1"), ("\\log_2 8", "3")])
    def t6():
        k = rng.randint(2, 9)
        return f"2^{{{k}}}", f"2^{k}"
    kinds += [t1, t2, t3, t4, t5, t6]
    # structures sympy does not parse: intervals, tuples, sets, text
    def s1():
        a, b = rng.randint(-5, 0), rng.randint(1, 9)
        return f"[{a},{b})", rng.choice([f"[{a},{b})", f"[{a},{b}]", f"({a},{b})"])
    def s2():
        a, b = rng.randint(-5, 5), rng.randint(-5, 5)
        return f"({a},{b})", rng.choice([f"({a},{b})", f"({b},{a})", f"({a},{b + 1})"])
    def s3():
        return rng.choice([("\\infty", "\\infty"), ("(-\\infty,2)", "(-\\infty,2)"), ("\\{1,2\\}", "\\{2,1\\}"), ("(A)", "(A)"), ("Monday", "Monday"), ("Monday", "Tuesday"), ("\\text{(C)}", "C")])
    kinds += [s1, s2, s3]
    return kinds


def main():
    kinds = pairs()
    seen = set()
    out = []
    while len(out) < 360:
        a, b = rng.choice(kinds)()
        if rng.random() < 0.5:
            a, b = b, a
        if (a, b) in seen:
            continue
        seen.add((a, b))
        out.append({"a": a, "b": b})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "equivalence-pairs.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for p in out:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(f"{len(out)} pairs -> {path}")


if __name__ == "__main__":
    main()
