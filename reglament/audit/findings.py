"""What the audit reports: findings with stable codes, and the catalogue of those codes.

Every rule has a stable code (``RG101``), a name (``term-overrun``), a default severity and a
help text; docs/audit.md lists them all and a test keeps it equal to :data:`RULES`. Codes are
never reused for another meaning: a retired rule keeps its number.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reglament.errors import Position, Problem


class Severity(StrEnum):
    """How serious a finding is; the words are SARIF's levels."""

    error = "error"
    warning = "warning"
    note = "note"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "note": 0}[self.value]


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of finding."""

    code: str
    name: str
    severity: Severity
    summary: str  # one line: what the rule reports
    help: str  # what it means and what to do about it


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the audit found in one definition, where it is written, and why it matters."""

    code: str
    severity: Severity
    position: Position
    message: str
    reglament: str  # the reglament's id ("" for a problem of a path or of several files)
    path: str = ""  # where in the document, e.g. "steps.review.duration"

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.position}: {self.severity.value} {self.code} {self.rule.name}: {self.message}{where}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        p = self.position
        return (p.file, p.line, p.column, self.code, self.message)


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.code: rule for rule in rules}


E, W, N = Severity.error, Severity.warning, Severity.note

# The validator's problems, one rule per problem code (severity error: the file cannot be used).
VALIDATOR_RULES: dict[str, Rule] = {
    problem_code: Rule(code, problem_code, E, summary, summary)
    for code, problem_code, summary in (
        ("RG000", "invalid", "The definition is invalid (a problem the validator reports)."),
        ("RG001", "unreadable", "The file cannot be read."),
        ("RG002", "too-large", "The file is larger than 4 MiB."),
        ("RG003", "binary", "The file is binary (it contains a NUL byte), not YAML text."),
        ("RG004", "encoding", "The file is not UTF-8 text."),
        ("RG005", "empty", "The file is empty."),
        ("RG006", "yaml-syntax", "The file is not valid YAML."),
        ("RG007", "tag", "A YAML tag (!!python/..., !include) is used; reglaments are plain data."),
        ("RG008", "key", "A key is not a plain word (a list, a mapping, the merge key <<)."),
        ("RG009", "duplicate-key", "A key is given twice in one mapping."),
        ("RG010", "alias", "An alias names no anchor or points into itself."),
        ("RG011", "alias-bomb", "Aliases expand to more than 200,000 values."),
        ("RG012", "too-deep", "The file nests more than 64 levels deep."),
        ("RG013", "type", "A number YAML cannot represent (e.g. 1e999)."),
        ("RG014", "extends", "The base file named by extends is missing, invalid or cyclic."),
        ("RG015", "schema", "A key, type or word the format does not allow, or a missing key."),
        ("RG016", "condition", "A condition outside the condition language."),
        ("RG020", "dangling-target", "A route, start or join names a step that is not declared."),
        ("RG021", "undeclared-actor", "A step or head names an actor that is not declared."),
        ("RG022", "undeclared-result", "An end or variant names a result that is not declared."),
        ("RG023", "undeclared-schedule", "A schedule that is not declared is named."),
        (
            "RG024",
            "undeclared-channel",
            "A term, queue limit, notification or condition names an unknown channel.",
        ),
        (
            "RG025",
            "undeclared-variant",
            "A term, condition or channel's variants name an unknown variant.",
        ),
        ("RG026", "undeclared-value", "A condition compares a choice with a value it cannot take."),
        ("RG027", "undeclared-name", "A condition reads a name that is not declared under data."),
        ("RG028", "undeclared-template", "A notification names a template that is not declared."),
        ("RG029", "notification", "A notification's end is not an end step."),
        ("RG030", "data", "A data name is reserved (variant, channel)."),
        ("RG031", "cases", "A list of cases or routes does not end with exactly one without when."),
        ("RG032", "unreachable", "A step cannot be reached from the start of any channel."),
        ("RG033", "dead-end", "No path from a step reaches an end step."),
        ("RG034", "parallel", "A parallel block's branches do not all meet at its join."),
        ("RG035", "term", "Two terms for the same channel and variant."),
        ("RG036", "channel-scope", "A channel's variants list is empty: it would serve no case."),
        (
            "RG037",
            "template",
            "A notification's template does not compile, reads what its event does not provide "
            "or the sandbox forbids, lacks a language it is sent in, or fails to render.",
        ),
        ("RG040", "effective-overlap", "Two versions of a service in one region overlap in time."),
        ("RG041", "no-files", "A folder holds no reglament files."),
    )
}

RULES: dict[str, Rule] = _rules(
    *sorted(VALIDATOR_RULES.values(), key=lambda r: r.code),
    # -- term compliance ------------------------------------------------------------------------
    Rule(
        "RG101",
        "term-overrun",
        E,
        "On some channel and variant the counted steps can take longer than the legal term.",
        "Every step is given its full allowed time, computed with the real working-day calendar, "
        "the actors' office hours and acceptance at the next opening, for every submission "
        "moment (each minute) of the version's year in force. The message names the worst path, "
        "the worst submission moment, the overrun and the share of submission moments that "
        "overrun. Either the step durations or the term in the act are wrong; an analyst should "
        "check the act, and the service's staff should know they cannot meet both.",
    ),
    Rule(
        "RG102",
        "no-term",
        N,
        "A channel with a procedure has no legal term in the file.",
        "The act (as encoded) states no overall term for this channel and variant, so nothing "
        "holds the procedure to a limit; the service standard may state one. The message gives "
        "the worst case of the steps, so the term can be compared when it is found.",
    ),
    Rule(
        "RG103",
        "term-loop",
        N,
        "A route can go round a loop; the worst case counts each loop once.",
        "A decision or wait can send a case back to an earlier step (e.g. documents requested "
        "again). Each pass adds time, so no worst case exists; the audit follows every loop at "
        "most once and says so. Check whether the act limits the repeats or suspends the term.",
    ),
    Rule(
        "RG104",
        "term-not-checked",
        W,
        "Term compliance could not be computed for a channel and variant.",
        "The calendar does not cover the period (2000-2030), or the route is larger than the "
        "audit follows (more than 256 paths, a path of more than 200 steps, more work than the "
        "file's budget: docs/audit.md). The message says which.",
    ),
    # -- what is missing or unclear ----------------------------------------------------------------
    Rule(
        "RG201",
        "untimed-step",
        W,
        "A step has no duration in the act (unit: untimed).",
        "The step takes no time in simulations and in the term check, whose worst case is then "
        "a lower bound. The act should give a duration.",
    ),
    Rule(
        "RG202",
        "schedule-without-dates",
        W,
        "A step follows an external schedule whose dates are not known.",
        "A by_schedule step whose external schedule lists no dates takes no time in "
        "simulations and in the term check (a lower bound). Add the schedule's dates.",
    ),
    Rule(
        "RG203",
        "wait-without-limit",
        W,
        "A wait for an outside event has no time limit.",
        "Nothing bounds how long the case waits, so the term check treats it as instantaneous "
        "(a lower bound) and no timeout route exists.",
    ),
    Rule(
        "RG211",
        "inferred-route",
        N,
        "An outcome or route is only implied by the act (inferred: true).",
        "The act does not say where this outcome leads; the file takes it from context (the "
        "next item in order, a table elsewhere). The note beside it says why.",
    ),
    Rule(
        "RG212",
        "language-discrepancy",
        W,
        "The Kazakh and Russian texts (or two places of one act) differ.",
        "Reported from the file's notes of kind discrepancy, quoting both readings; the note "
        "says which one the engine follows and why.",
    ),
    Rule(
        "RG213",
        "missing-language",
        N,
        "A title, action or result lacks a language the file uses elsewhere.",
        "The act's text in that language is missing (e.g. a table given in Russian only) or "
        "was not encoded. Texts only in English are the encoder's labels and are not reported.",
    ),
    Rule(
        "RG214",
        "act-error",
        N,
        "An evident mistake of the act, kept as written (a note of kind error).",
        "Reported from the file's notes of kind error: typos, wrong references, numbers that "
        "do not add up. The note quotes the original.",
    ),
    Rule(
        "RG221",
        "no-schedule",
        W,
        "An actor doing steps, or a channel accepting applications, has no office schedule.",
        "The engine assumes Mon-Fri 9:00-18:30 with lunch 13:00-14:30 (docs/calendar.md). Minutes, "
        "hours, closing times and acceptance all depend on it; give the office's real hours.",
    ),
    Rule(
        "RG222",
        "missing-notification",
        W,
        "A notification the act implies is not declared.",
        "Every accepted application gets a receipt (accepted), every end with a result "
        "result_ready, every refusal refused, every data-unavailable end data_unavailable. "
        "Declare it (implied: true when the act does not name it).",
    ),
    Rule(
        "RG223",
        "estimated-period",
        N,
        "The effective period is estimated, not stated by the act.",
        "The dates the version entered into and left force are derived (e.g. from the "
        "registration date); version selection near them may be wrong.",
    ),
)


def validator_rule(problem_code: str) -> Rule:
    """The rule of a validator problem code (``schema`` → RG015); unknown codes → RG000."""
    return VALIDATOR_RULES.get(problem_code, VALIDATOR_RULES["invalid"])


def from_problem(problem: Problem, reglament: str = "") -> Finding:
    """A validator problem as a finding (severity error)."""
    rule = validator_rule(problem.code)
    return Finding(
        rule.code, rule.severity, problem.position, problem.message, reglament, problem.path
    )
