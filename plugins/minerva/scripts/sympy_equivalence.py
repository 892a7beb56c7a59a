"""SymPy verdicts for answer pairs, as the Minerva reference computes them (lm-evaluation-harness
minerva_math `is_equiv`, commit 0348ed97): parse_latex both, simplify(a - b) == 0, 5 s timeout,
any parse error or exception = False. A tool that makes golden data; the harness never imports it.

Runs on Debian 12's packages: `apt-get install python3-sympy python3-antlr4 antlr4`, then
`/usr/bin/python3 sympy_equivalence.py`. Debian's sympy 1.11 ships a LaTeX parser generated for
ANTLR 4.10 while Debian's runtime is 4.9, so the parser is regenerated here from sympy's own
LaTeX.g4 with Debian's antlr4 tool (same grammar, runtime-matched code).

Reads ../data/equivalence-pairs.jsonl ({"a", "b"} per line, written by make_equivalence_pairs.py),
writes ../data/equivalence-golden.jsonl ({"a", "b", "sympy", "note"}).
"""
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile

import sympy
import sympy.parsing.latex as latex_pkg

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def install_parser():
    out = tempfile.mkdtemp(prefix="sympy-latex-antlr-")
    grammar = os.path.join(os.path.dirname(latex_pkg.__file__), "LaTeX.g4")
    subprocess.check_call(["antlr4", "-Dlanguage=Python3", "-no-visitor", "-no-listener", "-o", out, grammar], cwd=out)
    for name, module in (("LaTeXParser", "latexparser"), ("LaTeXLexer", "latexlexer")):
        found = [os.path.join(r, f) for r, _, fs in os.walk(out) for f in fs if f == name + ".py"][0]
        spec = importlib.util.spec_from_file_location("sympy.parsing.latex._antlr." + module, found)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules["sympy.parsing.latex._antlr." + module] = mod
    import sympy.parsing.latex._parse_latex_antlr as impl
    impl.version = lambda _name: "4.10"  # the check names the runtime sympy's shipped parser was built for


class Timeout(Exception):
    pass


def on_alarm(_signum, _frame):
    raise Timeout()


def is_equiv(x1, x2):
    from sympy.parsing.latex import parse_latex
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(5)
    try:
        try:
            p1 = parse_latex(x1)
            p2 = parse_latex(x2)
        except Exception:
            return False, "parse"
        try:
            diff = p1 - p2
        except TypeError:
            return False, "subtract"
        try:
            return bool(sympy.simplify(diff) == 0), ""
        except ValueError:
            return False, "simplify"
    except Timeout:
        return False, "timeout"
    except Exception:
        return False, "error"
    finally:
        signal.alarm(0)


def main():
    install_parser()
    with open(os.path.join(DATA, "equivalence-pairs.jsonl"), encoding="utf-8") as f:
        pairs = [json.loads(line) for line in f if line.strip()]
    with open(os.path.join(DATA, "equivalence-golden.jsonl"), "w", encoding="utf-8") as out:
        for p in pairs:
            verdict, note = is_equiv(p["a"], p["b"])
            out.write(json.dumps({"a": p["a"], "b": p["b"], "sympy": verdict, "note": note}, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} pairs, sympy {sympy.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
