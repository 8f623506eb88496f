"""The table of bad CLI invocations, generated from the Typer app's own options.

Every command and subcommand is walked; each of its parameters is classified by its type and its
name (number, amount, identifier, clock time, output path, input file, flag) and gets the bad values
of its class, adjusted by the bounds its help text states (``RULES``). Each bad value is put into
the smallest valid invocation of its command (``BASE``), so the value under test is the only thing
wrong with it. Values a command may legitimately accept (``0`` mg/day of diet, an eGFR of 0, a seed
of 0, an unknown medicine name the planner can note) are left out: every case here is wrong input.

Placeholders in arguments: ``{tmp}`` is the test's temporary folder, which holds ``folder/`` (a
folder), ``a_file`` (a plain file), ``article.txt`` (UTF-8 text), ``latin1.txt`` / ``latin1.toml``
(Latin-1 bytes), ``binary.bin`` / ``binary.toml`` (binary bytes) and ``empty.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import typer

from mgbrain.interfaces.cli import app

# ---------------------------------------------------------------- value classes

NUMBER = ("abc", "", "nan", "inf", "-inf", "-1", "0", "1e308", "-1e308", "99999999999999999999")
INTEGER_ONLY = ("1.5",)  # not an integer: bad for every int option
AMOUNT = ("", "abc", "-2 g", "0 mg", "2 parsecs", "2,5 g", "1e9 g", "nan mg")
DAILY_AMOUNT = (*AMOUNT, "1,5 g/day")
IDENTIFIER = ("", "unobtainium", "a" * 10_000, "\x00", "../../etc/passwd")
CLOCK = ("", "abc", "25:00", "07:60", "-1:00", "\x00")
LABEL = ("", "abc", "0 capsules = 2000 mg MgT providing 144 mg Mg",
         "2 capsules = 2000 mg MgT providing 144 mg Mg banana",
         "2 capsules = 2000 mg MgT providing 3000 mg Mg", "2 capsules = nan mg MgT providing 144 mg Mg")
# an output path: a folder, a path through a file, and a suffix of another kind of file
OUTPUT = {"folder": "{tmp}/folder", "through-file": "{tmp}/a_file/out{suffix}", "wrong-suffix": "{tmp}/out{wrong}"}
SEED = ("abc", "", "1.5", "nan", "inf", "1e308", "-1")  # numpy seeds are integers >= 0; 0 and 10**20 are valid

PERSON = ("--age", "30", "--sex", "male", "--weight", "80")
#: a valid trial design (a run of 2 replicates on one n is a fraction of a second)
DESIGN = str(Path(__file__).parents[2] / "examples" / "trials" / "hausenblas2024_sleep.toml")

# the smallest valid invocation of each command (tiny runs: the work is bounded by these, not by the value)
BASE: dict[str, tuple[str, ...]] = {
    "compare": ("--compound", "2 g/day", "--forms", "citrate", "--weeks", "1", "--samples", "2"),
    "sensitivity": ("--samples", "2", "--weeks", "1"),
    "params": (),
    "factcheck": ("{tmp}/article.txt",),
    "compounds": (),
    "convert": ("2 g",),
    "simulate": ("--days", "1"),
    "validate": ("--target", "V2"),
    "demo": ("--report", "{tmp}/demo.html"),
    "plan": PERSON,
    "foods": (),
    "population": ("--n", "5", "--days", "1"),
    "trial": (DESIGN, "--replicates", "2", "--n-grid", "20"),
    "export-sbml": ("{tmp}/model.xml", "--days", "1"),
    "claims list": (),
    "claims show": ("mgt-higher-bioavailability",),
    "claims check": (),
    "serve": (),  # every case below has one bad value, so none of them starts a server
}


@dataclass(frozen=True)
class Rule:
    """How one option is fuzzed: its value class, minus values it may accept, plus values its bounds exclude."""

    values: tuple[str, ...] = ()
    valid: tuple[str, ...] = ()   # values of the class this option may legitimately accept: left out
    extra: tuple[str, ...] = ()   # values beyond the class: out of the bounds the help or the issue states
    base: tuple[str, ...] = ()    # more arguments it needs to mean something (the option it qualifies)
    drop: tuple[str, ...] = ()    # options of BASE to leave out (the option under test replaces them)
    suffix: str = ""              # for output paths: a right suffix, and a wrong one
    wrong: str = ""


DOSED = ("--dose", "2 g/day")
RULES: dict[tuple[str, str], Rule] = {
    # compare
    ("compare", "forms"): Rule(IDENTIFIER, extra=(",", "citrate,unobtainium")),
    ("compare", "elemental"): Rule(DAILY_AMOUNT, drop=("--compound",)),
    ("compare", "compound"): Rule(DAILY_AMOUNT, drop=("--compound",)),
    ("compare", "weeks"): Rule(NUMBER),
    ("compare", "samples"): Rule(NUMBER),
    ("compare", "seed"): Rule(SEED),
    ("compare", "weight"): Rule(NUMBER),
    ("compare", "report"): Rule(suffix=".html", wrong=".csv"),
    ("compare", "plot"): Rule(suffix=".png", wrong=".txt"),
    # sensitivity
    ("sensitivity", "samples"): Rule(NUMBER, extra=("3",)),  # help: a power of 2
    ("sensitivity", "weeks"): Rule(NUMBER),
    ("sensitivity", "seed"): Rule(SEED),
    # factcheck
    ("factcheck", "file"): Rule(("", "{tmp}/missing.txt", "{tmp}/folder", "{tmp}/binary.bin", "{tmp}/latin1.txt"),
                                drop=("{tmp}/article.txt",)),
    ("factcheck", "threshold"): Rule(NUMBER, valid=("0",), extra=("1.5",)),  # help: 0-1
    ("factcheck", "backend"): Rule(IDENTIFIER, extra=("TFIDF", "bm25")),
    # convert
    ("convert", "amount"): Rule(DAILY_AMOUNT, valid=("1e9 g",), extra=("1,5 g/day",), drop=("2 g",)),
    ("convert", "form"): Rule(IDENTIFIER),
    ("convert", "product"): Rule(IDENTIFIER),
    ("convert", "label"): Rule(LABEL),
    ("convert", "split"): Rule(NUMBER),
    # simulate: the options that qualify --dose are given with it
    ("simulate", "product"): Rule(IDENTIFIER, base=DOSED),
    ("simulate", "dose"): Rule(DAILY_AMOUNT),
    ("simulate", "split"): Rule(NUMBER, extra=("5",), base=DOSED),  # no default clock times beyond 4
    ("simulate", "times"): Rule(CLOCK, extra=("08:00,20:00,14:00", "08:00,,20:00"), base=DOSED),
    ("simulate", "days"): Rule(NUMBER),
    ("simulate", "weight"): Rule(NUMBER),
    ("simulate", "egfr"): Rule(NUMBER, valid=("0",)),
    ("simulate", "diet"): Rule(NUMBER, valid=("0",)),
    # one day of two doses: indices 0 and 1
    ("simulate", "missed"): Rule(("", "a", "1.5", "a,b", "1,,2", "-1", "1000", "\x00"), base=DOSED),
    ("simulate", "iv_bolus"): Rule(AMOUNT, extra=("1e6 g", "20 kg", "4 g/day")),
    ("simulate", "infusion"): Rule(AMOUNT, extra=("20 kg",)),
    ("simulate", "infusion_hours"): Rule(NUMBER, base=("--infusion", "4 g")),
    ("simulate", "iv_form"): Rule(IDENTIFIER, extra=("oxide",), base=("--iv-bolus", "4 g")),  # oral only
    ("simulate", "every"): Rule(NUMBER, extra=("1e-6",)),
    ("simulate", "csv"): Rule(suffix=".csv", wrong=".png"),
    ("simulate", "report"): Rule(suffix=".html", wrong=".csv"),
    ("simulate", "uncertainty"): Rule(NUMBER, valid=("0",), extra=("1001",)),  # help: at most 1000
    # validate
    ("validate", "target"): Rule(IDENTIFIER, extra=(",", "V2,unobtainium"), drop=("--target",)),
    ("validate", "role"): Rule(IDENTIFIER),
    ("validate", "uncertainty"): Rule(NUMBER, valid=("0",), extra=("1001",)),  # help: at most 1000
    ("validate", "report"): Rule(suffix=".html", wrong=".csv"),
    # demo
    ("demo", "report"): Rule(suffix=".html", wrong=".csv", drop=("--report",)),
    # plan: bounds from the help texts
    ("plan", "profile"): Rule(("", "{tmp}/missing.toml", "{tmp}/folder", "{tmp}/binary.toml", "{tmp}/latin1.toml",
                               "{tmp}/empty.toml", "{tmp}/article.txt"), drop=PERSON[::2]),
    ("plan", "age"): Rule(NUMBER, extra=("0.5", "121")),
    ("plan", "sex"): Rule(IDENTIFIER),
    ("plan", "weight"): Rule(NUMBER, extra=("1", "301")),
    ("plan", "height"): Rule(NUMBER, extra=("39", "251")),
    ("plan", "egfr"): Rule(NUMBER, valid=("0",), extra=("201",)),
    ("plan", "ckd_stage"): Rule(IDENTIFIER, extra=("0", "6", "3c")),
    # "ciprofloxacin/7d@08:00" is valid: the course may follow the name
    ("plan", "medicine"): Rule(("", "\x00", "@08:00", "ciprofloxacin@25:00",
                                "ciprofloxacin@08:00/0d", "ciprofloxacin@08:00/-1d", "ciprofloxacin@08:00/xd")),
    ("plan", "product"): Rule(IDENTIFIER),
    ("plan", "dose"): Rule(DAILY_AMOUNT),
    ("plan", "label"): Rule(LABEL),
    ("plan", "capsule_mg"): Rule(NUMBER),
    ("plan", "goal"): Rule(IDENTIFIER),
    ("plan", "food"): Rule(("", ":2", "unobtainium:2", "almonds:-1", "almonds:abc", "almonds:nan", "almonds:inf",
                            "almonds:1e308", "almonds:-5g")),
    ("plan", "diet_mg"): Rule(NUMBER, valid=("0",)),
    ("plan", "wake"): Rule(CLOCK),
    ("plan", "bed"): Rule(CLOCK),
    ("plan", "html"): Rule(suffix=".html", wrong=".csv"),
    ("plan", "ics"): Rule(suffix=".ics", wrong=".html"),
    ("plan", "start"): Rule(("", "abc", "2024-13-01", "\x00"), base=("--ics", "{tmp}/plan.ics")),
    # population
    ("population", "n"): Rule(NUMBER),
    ("population", "product"): Rule(IDENTIFIER),
    ("population", "dose"): Rule(DAILY_AMOUNT, valid=("0 mg",)),  # no supplement: a baseline population
    ("population", "split"): Rule(NUMBER, extra=("5",)),
    ("population", "times"): Rule(CLOCK, extra=("08:00,20:00,14:00", "08:00,,20:00")),
    ("population", "jitter_h"): Rule(NUMBER, valid=("0",)),
    ("population", "adherence"): Rule(NUMBER, valid=("0",), extra=("1.5", "-0.1")),  # a probability
    ("population", "days"): Rule(NUMBER),
    ("population", "seed"): Rule(SEED),
    ("population", "out"): Rule(suffix=".parquet", wrong=".csv"),
    ("population", "plot"): Rule(suffix=".png", wrong=".txt"),
    # 0 is valid (one per CPU); a huge count is not stated as bad in the help
    ("population", "workers"): Rule(("abc", "", "-1", "1.5", "nan")),
    ("population", "scheduler"): Rule(("", "garbage", "\x00", "../../etc/passwd")),
    ("population", "chunk_size"): Rule(NUMBER, valid=("99999999999999999999",)),  # larger than N is fine
    ("population", "rtol"): Rule(NUMBER, extra=("1e3",)),
    ("population", "atol"): Rule(NUMBER, valid=("0",), extra=("1e3",)),
    # trial: the design file, then the run's options (bounds from the help texts)
    ("trial", "design"): Rule(("", "{tmp}/missing.toml", "{tmp}/folder", "{tmp}/binary.toml", "{tmp}/latin1.toml",
                               "{tmp}/empty.toml", "{tmp}/article.txt"), drop=(DESIGN,)),
    ("trial", "replicates"): Rule(NUMBER, extra=("20001",)),
    ("trial", "n_grid"): Rule(("", "abc", ",", "20,abc", "20,,40", "1.5", "-20", "0", "1", "5001", "40,20", "20,20",
                               ",".join(str(20 + k) for k in range(13)))),
    ("trial", "target_power"): Rule(NUMBER, extra=("1", "1.5")),
    ("trial", "report"): Rule(suffix=".html", wrong=".csv"),
    ("trial", "workers"): Rule(("abc", "", "-1", "1.5", "nan")),
    ("trial", "scheduler"): Rule(("", "garbage", "\x00", "../../etc/passwd")),
    # export-sbml
    ("export-sbml", "path"): Rule(suffix=".xml", wrong=".png", drop=("{tmp}/model.xml",)),
    ("export-sbml", "weight_kg"): Rule(NUMBER),
    ("export-sbml", "egfr"): Rule(NUMBER, valid=("0",)),
    ("export-sbml", "product"): Rule(IDENTIFIER, base=DOSED),
    ("export-sbml", "dose"): Rule(DAILY_AMOUNT),
    ("export-sbml", "days"): Rule(NUMBER),
    # claims
    ("claims list", "topic"): Rule(IDENTIFIER),
    ("claims list", "verdict"): Rule(IDENTIFIER),
    ("claims show", "claim_id"): Rule(IDENTIFIER, drop=("mgt-higher-bioavailability",)),
    ("claims check", "claim_id"): Rule(IDENTIFIER),
    # serve: an address to bind and a port
    ("serve", "host"): Rule(("", "abc", "999.1.1.1", "\x00", "../../etc/passwd", "a" * 10_000)),
    ("serve", "port"): Rule(NUMBER, extra=("65536",)),
}

# bad combinations the issue lists: a qualifier without the option it qualifies, an invalid value
# of an option the run would not use; each names the qualifier
COMBINATIONS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("simulate", "--product", ("--product", "unobtainium"), "without-dose"),
    ("simulate", "--times", ("--times", "08:00,20:00"), "without-dose"),
    ("simulate", "--missed", ("--missed", "1"), "without-dose"),
    ("simulate", "--iv-form", ("--iv-form", "chloride"), "without-iv"),
    ("plan", "--start", ("--start", "abc"), "without-ics"),
    ("trial", "--scheduler", ("--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"), "with-workers"),
]


# ---------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    command: str                 # "simulate", "claims list"
    option: str                  # what the user typed: "--dose", or an argument's metavar "AMOUNT"
    names: tuple[str, ...]       # any of these in the message names it
    positional: bool
    args: tuple[str, ...]        # the whole invocation, with {tmp} placeholders
    value: str
    kind: str

    @property
    def id(self) -> str:
        shown = self.value if len(self.value) <= 40 else f"{self.value[:8]}...({len(self.value)} chars)"
        where = f"{self.command.replace(' ', '-')}{'-' if self.positional else ''}{self.option}"
        if self.kind.startswith("without"):
            return f"{where}-{shown!r}-{self.kind}"
        return f"{where}-{shown!r}" if self.kind == "value" else f"{where}-{self.kind}"


def walk() -> Iterator[tuple[str, object]]:
    """Every leaf command as (path, click command)."""
    def rec(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                yield from rec(sub, [*path, name])
        else:
            yield " ".join(path), cmd
    yield from rec(typer.main.get_command(app), [])


def _is_flag(param) -> bool:
    return bool(getattr(param, "is_flag", False))


def _positional(param) -> bool:
    return type(param).__name__ == "TyperArgument"


def _typed(param) -> type:
    return param.type_descriptor.annotation


def _display(param) -> tuple[str, tuple[str, ...]]:
    if _positional(param):
        meta = (param.metavar or param.name.upper()).strip("[]")  # an optional argument shows as [ID]
        return meta, (meta, param.name)
    return param.opts[0], tuple(param.opts)


def _without(base: tuple[str, ...], drop: tuple[str, ...]) -> list[str]:
    """``base`` less the options in ``drop`` (each with its value) and the positional values in it."""
    out: list[str] = []
    items = iter(base)
    for a in items:
        if a in drop:
            if a.startswith("-"):
                next(items)  # every option in BASE takes a value
            continue
        out.append(a)
    return out


def _with(base: list[str], param, value: str) -> list[str]:
    if _positional(param):
        return [value, *base]
    return [*base, param.opts[0], value]


def cases() -> list[Case]:
    out: list[Case] = []
    for command, cmd in walk():
        base = BASE[command]
        words = command.split()
        # an option the command does not have names that option
        out.append(Case(command, "--no-such-option", ("--no-such-option",), False,
                        (*words, *base, "--no-such-option"), "", "unknown-option"))
        for param in cmd.params:
            option, names = _display(param)
            if _is_flag(param):  # a flag given a value
                out.append(Case(command, option, names, False, (*words, *base, f"{option}=abc"), "abc",
                                "flag-value"))
                continue
            rule = RULES.get((command, param.name))
            if rule is None:
                raise LookupError(f"no fuzz rule for {command} {option}: add one to RULES")
            own = () if _positional(param) else tuple(param.opts)  # the option under test replaces its base value
            rest = [*_without(base, (*rule.drop, *own)), *rule.base]
            if _positional(param):
                if param.required:
                    out.append(Case(command, option, names, True, (*words, *rest), "", "missing"))
            else:  # an option at the end with no value
                out.append(Case(command, option, names, False, (*words, *rest, option), "", "no-value"))
            values = rule.values
            if rule.wrong:
                values = tuple(v.format(tmp="{tmp}", suffix=rule.suffix, wrong=rule.wrong) for v in OUTPUT.values())
                if _positional(param):
                    values = ("", *values)
            elif _typed(param) is int:
                values = (*values, *INTEGER_ONLY)
            values = tuple(v for v in dict.fromkeys((*values, *rule.extra)) if v not in rule.valid)
            for value in values:
                out.append(Case(command, option, names, _positional(param),
                                (*words, *_with(rest, param, value)), value, "value"))
    for command, option, extra, alone in COMBINATIONS:
        words = command.split()
        out.append(Case(command, option, (option,), False, (*words, *BASE[command], *extra), extra[-1], alone))
    return out


def names_option(line: str, case: Case) -> bool:
    """The message names what the user typed: an option as a whole word, an argument by metavar or name."""
    flags = 0 if not case.positional else re.IGNORECASE
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", line, flags) for n in case.names)
