"""The bounded sandbox a reglament's templates run in (reglament/renderers/sandbox.py): every
hostile template ends quickly with the limit it went over, through the API as through
validate; the count is deterministic; the attributes the sandbox refuses are found without
running the template; what the limits do not touch renders as Jinja renders it."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reglament.engine import Engine
from reglament.engine.simulate import simulate
from reglament.errors import Position
from reglament.loader import load
from reglament.renderers import notifications, sandbox
from reglament.renderers.notifications import TemplateFailed
from reglament.schemas import Event, Language, Medium, Notification, Recipient, Template, Text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notifications"
MONDAY = dt.datetime(2024, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
MAX = f"(at most {sandbox.MAX_SIZE:,})"
STEPS = f"takes more than {sandbox.MAX_STEPS:,} steps (loop iterations, calls, operations)"
DEEP = f"calls nest more than {sandbox.MAX_DEPTH} deep (a macro or loop() calling itself?)"


def _compose(source: str, medium: Medium = Medium.email) -> notifications.Message:
    """The refusal notice of every-event.yaml rendered with ``source`` as its body, with no
    check first (as an API user may)."""
    engine = Engine(load(FIXTURES / "every-event.yaml"))
    timeline = simulate(
        engine, MONDAY, "office", data={"data_found": True}, answers={"review": "refuse"}
    )
    notice = next(n for n in engine.notices(timeline.case) if n.notification.on is Event.refused)
    fact = notifications.facts(engine, timeline.case, notice, timeline=timeline)
    reglament = engine.reglament.model_copy(
        update={"templates": {"refused": Template(body=Text(en=source))}}
    )
    return notifications.compose(
        reglament, "refused", fact, Language.en, medium, Recipient.applicant
    )


HOSTILE = [
    # the examples
    ("{{ 'a' * 10**9 }}", f"'*' would make 1,000,000,000 characters or items {MAX}"),
    ("{{ '%0999999999d' % 1 }}", f"'%' formatting with a width or precision of 999,999,999 {MAX}"),
    (
        "{{ lipsum(10**7) }}",
        f"lipsum(10000000) would make 20,090,000,000 characters or items {MAX}",
    ),
    ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", STEPS),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", DEEP),
    ("{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}", DEEP),
    # the same ends reached otherwise
    ("{{ 'x'.center(10**9) }}", f"center() would make 1,000,000,000 characters or items {MAX}"),
    (
        "{{ (1).to_bytes(10**9, 'big') }}",
        f"to_bytes() would make 1,000,000,000 characters or items {MAX}",
    ),
    ("{{ '{:>999999999}'.format(1) }}", f"format() with a width or precision of 999999999 {MAX}"),
    ("{{ '{0:{1}}'.format(1, 10**9) }}", f"format() with a width or precision of 1000000000 {MAX}"),
    (
        "{{ '%*d' % (10**9, 1) }}",
        f"'%' formatting with a width or precision of 1,000,000,000 {MAX}",
    ),
    (
        "{{ '%99999s%99999s'|format(1, 2) }}",
        f"the format filter would make 200,014 characters or items {MAX}",
    ),
    (
        "{{ 'x'|center(10**9) }}",
        f"the center filter would make 1,000,000,000 characters or items {MAX}",
    ),
    (
        "{{ 'x\ny'|indent(10**6) }}",
        f"the indent filter would make 2,000,003 characters or items {MAX}",
    ),
    (
        "{{ 'ab'|replace('', 'x' * 60000) }}",
        f"the replace filter would make 180,002 characters or items {MAX}",
    ),
    (
        "{{ [1, 2, 3]|join('z' * 60000) }}",
        f"the join filter would make 120,003 characters or items {MAX}",
    ),
    (
        "{{ [1]|batch(10**9, 0)|list }}",
        f"the batch filter would make 1,000,000,001 characters or items {MAX}",
    ),
    ("{% set a = 'x' * 55000 %}{{ a ~ a }}", f"'~' would make 110,000 characters or items {MAX}"),
    ("{{ [1] * 100001 }}", f"'*' would make 100,001 characters or items {MAX}"),
    ("{{ 7 ** 1000000 }}", f"'**' would make 845,099 characters or items {MAX}"),
    ("{{ range(10**9)|list }}", "range() of more than 100,000 numbers"),
    (
        "{% set a = ['x' * 60000] %}{{ [a, a] }}",
        f"makes a value of more than {sandbox.MAX_SIZE:,} characters or items",
    ),
    (
        "{% set ns = namespace(x=[]) %}{% for i in range(40) %}{% set ns.x = [ns.x] %}{% endfor %}",
        f"makes a value nested more than {sandbox.MAX_NESTING} deep",
    ),
    (
        "{% set t = 'x' * 60000 %}{{ t }}{{ t }}",
        f"writes more than {sandbox.MAX_WRITTEN:,} characters",
    ),
    (
        "{% set t = 'x' * 1000 %}{% for i in range(1000) %}{% if t == t %}{% endif %}{% endfor %}",
        STEPS,
    ),
    ("{% set t = 'x' * 90000 %}{% for i in range(100) %}{% set u = t[1:] %}{% endfor %}", STEPS),
    (
        "{% set w = range(50000)|map('string')|list %}{% for i in range(9) %}{{ w|sort|length }}{% endfor %}",
        STEPS,
    ),
    (
        "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(30) }}",
        STEPS,
    ),
    ("{% block b %}{{ self.b() }}{% endblock %}", DEEP),
    (
        "{% macro m() %}{{ caller() }}{% endmacro %}"
        "{% macro r() %}{% call m() %}{{ r() }}{% endcall %}{% endmacro %}{{ r() }}",
        DEEP,
    ),
    ("{% for a in [1] %}" * 30 + "{% endfor %}" * 30, "line 1: the template is nested too deeply"),
    ("{{ " + "(" * 300 + "1" + ")" * 300 + " }}", "line 1: the template is nested too deeply"),
]


@pytest.mark.parametrize(("source", "reason"), HOSTILE, ids=[s[:40] for s, _ in HOSTILE])
def test_a_hostile_template_ends_quickly_with_the_limit_it_went_over(
    source: str, reason: str
) -> None:
    started = time.process_time()
    with pytest.raises(TemplateFailed) as failed:
        _compose(source)
    assert failed.value.reason == reason
    assert failed.value.part == "body"
    assert str(failed.value) == f"template 'refused' (en, email) of every-event fails: {reason}"
    # one message's budget is well under a second of CPU (process time: on a loaded machine
    # the wall clock also counts the waits for a core, 5.4 s of it once in CI)
    assert time.process_time() - started < 5


def test_the_count_is_of_steps_the_same_every_time() -> None:
    source = "{% for i in range(1000) %}{{ i ~ receipt }}{% endfor %}"
    spent = []
    for _ in range(3):
        budget = sandbox.Budget()
        with sandbox.bounded(budget):
            _compose(source)
        spent.append((budget.steps, budget.written))
    assert spent[0] == spent[1] == spent[2]
    assert 20_000 < spent[0][0] < sandbox.MAX_STEPS  # the loop's steps: one message's budget


BENIGN = [
    "{% for g in grounds %}{{ loop.index }}/{{ loop.length }} {{ g[:3]|upper }}"
    "{{ ', ' if not loop.last }}{% else %}none{% endfor %}",
    "{{ '%s-%03d' % ('n', days) }} {{ '{0:>4}|{1}'.format('ab', receipt[:3]) }} {{ '%(a)s' % {'a': 1} }}",
    "{{ [1, 2] + [3] }} {{ {'a': 1}['a'] }} {{ ('x' ~ 'y') * 2 }} {{ 2 ** 10 }} {{ 7 // 2 }} {{ -days }}",
    "{{ range(3)|map('string')|join('+') }} {{ 'a b'|replace(' ', '_')|center(7) }} {{ grounds|length }}",
    "{% set ns = namespace(n=0) %}{% for g in grounds %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}",
    "{% macro item(x) %}<{{ x }}{{ caller() }}>{% endmacro %}{% call item(2) %}!{% endcall %}",
    "{% for x in [[1, [2]], [3]] recursive %}{{ x if x is number else loop(x) }}{% endfor %}",
    "{% autoescape true %}{{ '<' ~ 'b' }}{{ '<i>'|safe }}{% endautoescape %} {{ '<' ~ 'b' }}",
    "{{ grounds|sort|first }} {{ grounds|map('upper')|list }} {{ (grounds|select)|list|length }}",
    "{{ service|wordwrap(10) }}|{{ service|indent(2, true) }}|{{ service|truncate(9) }}",
    "{% if receipt is string and days is divisibleby 2 %}{{ receipt.split('-')[1:] }}{% endif %}",
    "{{ {'b': 2, 'a': 1}|dictsort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ [1, 2, 2]|unique|list }}",
    "{% filter upper %}{% for i in range(3) %}a{{ i }}{% endfor %}{% endfilter %} {{ x|default('d') }}",
    "{{ '{:.2f} {:,}'.format(3.14159, 1234567) }} {{ 1e3|int }} {{ '10'|int + 1 }} {{ [1, 2]|sum(start=10) }}",
    "{{ range(5)|map('string')|map('upper')|list }} {{ 'y' if grounds|select else 'n' }}"
    " {{ (range(3)|map('string')|list)[1:] }} {{ ([] | select | list) or 'none' }}",
    "{% set t %}{{ receipt }}{% endset %}{{ t|length }} {{ 'abc'[::-1] }} {{ grounds[0][:5] }}",
]
VALUES = {
    "receipt": "AST-20241202-ABCDEF",
    "grounds": ["incomplete documents", "false data"],
    "service": "A certificate of the place of residence",
    "days": 4,
}


@pytest.mark.parametrize("source", BENIGN)
def test_what_the_limits_do_not_touch_renders_as_jinja_renders_it(source: str) -> None:
    options = {"undefined": StrictUndefined, "trim_blocks": True, "lstrip_blocks": True}
    expected = ImmutableSandboxedEnvironment(**options).from_string(source).render(VALUES)
    bounded = sandbox.BoundedSandbox(**options).from_string(source)
    with sandbox.bounded():
        assert bounded.render(VALUES) == expected


def test_a_template_outside_a_budget_is_refused() -> None:
    template = notifications.environment().from_string("{{ 1 + 1 }}")
    with pytest.raises(SecurityError, match="outside reglament's bounded"):
        template.render()
    with sandbox.bounded():
        assert template.render() == "2"


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("{{ receipt.__class__ }}", [(1, "__class__")]),
        ("{{ x.__class__.__mro__ }}", [(1, "__class__"), (1, "__mro__")]),
        ("line\n{{ receipt.__class__.mro() }}", [(2, "__class__"), (2, "mro")]),
        ("{{ lipsum.__globals__ }}", [(1, "__globals__")]),
        ("{{ x['__class__'] }}", [(1, "__class__")]),
        ("{{ x|attr('__dict__') }}", [(1, "__dict__")]),
        ("{{ '{0.__class__}'.format(x) }}", [(1, "__class__")]),
        ("{{ (x|map('upper')).gi_frame }}", [(1, "gi_frame")]),
        ("{{ grounds.append(1) }}", [(1, "append")]),  # the immutable sandbox's refusal
        ("{{ receipt.upper() }} {{ x['key'] }} {{ x|attr('name') }} {{ '{0.a}'.format(x) }}", []),
        ("{{ grounds|join(', ') }} {{ x.items() }} {{ loop.index }} {{ '{'.format(x) }}", []),
    ],
)
def test_forbidden_reads_are_found_without_running_the_template(
    source: str, found: list[tuple[int, str]]
) -> None:
    environment = notifications.environment()
    assert sandbox.forbidden_reads(environment.parse(source), environment) == found


def test_forbidden_means_what_the_sandbox_itself_refuses() -> None:
    environment = notifications.environment()
    for name in ("__class__", "_private", "mro", "gi_code", "pop", "update"):
        assert environment.refuses(name)
        assert not all(environment.is_safe_attribute(p, name, None) for p in sandbox._PROBES)
    for name in ("upper", "items", "index", "format", "real", "keys"):
        assert not environment.refuses(name)


def test_validate_reports_a_template_at_its_part_and_stops_there() -> None:
    reglament = load(FIXTURES / "every-event.yaml")
    notification = Notification(
        on=Event.accepted, to=[Recipient.applicant], via=[Medium.sms, Medium.letter]
    )
    reglament = reglament.model_copy(
        update={
            "notifications": [notification],
            "templates": {
                "accepted": Template(
                    body=Text(en="Fine.", kk="Жақсы.", ru="Хорошо."),
                    subject=Text(en="{{ 'x' * 10**6 }}", kk="x", ru="x"),
                )
            },
        }
    )
    checked = notifications.check_templates(reglament)
    assert [(p.path, p.message) for p in checked.problems] == [
        (
            "templates.accepted.subject.en",
            "template 'accepted' (en, sms) fails: "
            f"'*' would make 1,000,000 characters or items {MAX}",
        )
    ]
    assert checked.problems[0].position == Position("every-event", 0, 0)


def test_all_the_sample_renders_of_a_file_share_an_allowance() -> None:
    """An SMS is rendered with every step, channel and variant it may name: a template near
    one message's limit must not multiply it by the size of the reglament."""
    reglament = load(FIXTURES / "every-event.yaml")
    heavy = "{% for i in range(60000) %}{% endfor %}{{ step }}"
    notification = Notification(
        on=Event.step_started,
        template="heavy",
        to=[Recipient.applicant, Recipient.actor, Recipient.head],
        via=[Medium.sms],
    )
    reglament = reglament.model_copy(
        update={
            "notifications": [notification],
            "templates": {"heavy": Template(body=Text(en=heavy, kk=heavy, ru=heavy))},
        }
    )
    started = time.process_time()  # CPU: the wall clock counts a loaded machine's waits too
    checked = notifications.check_templates(reglament)
    assert [p.message for p in checked.problems] == [
        f"template 'heavy' ({checked.problems[0].path.split('.')[-1]}): its sample renders "
        "(each step, channel and variant an SMS may name) take more than "
        f"{notifications.MAX_CHECK_STEPS:,} steps in all"
    ]
    assert time.process_time() - started < 8


DOC = (Path(__file__).resolve().parent.parent.parent / "docs" / "notifications.md").read_text(
    "utf-8"
)


def test_the_documented_limits_are_the_real_ones() -> None:
    section = DOC.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    table = dict(re.findall(r"^\| ([a-z ]+) \| ([\d,]+) \|", section, re.M))
    assert table == {
        "steps": f"{sandbox.MAX_STEPS:,}",
        "size of a value": f"{sandbox.MAX_SIZE:,}",
        "written": f"{sandbox.MAX_WRITTEN:,}",
        "calls nested": f"{sandbox.MAX_DEPTH}",
        "values nested": f"{sandbox.MAX_NESTING}",
        "range": f"{sandbox.MAX_RANGE:,}",
        "sample renders": f"{notifications.MAX_CHECK_STEPS:,}",
    }


def test_the_quoted_lines_are_the_hostile_cases_real_ones() -> None:
    cases = Path(__file__).resolve().parent.parent / "hostile" / "templates" / "cases.yaml"
    real = cases.read_text("utf-8")
    quoted = re.findall(r"^(tests/hostile/templates/.*)$", DOC, re.M)
    assert len(quoted) == 5
    for line in quoted:
        assert f'    - "{line}"' in real, line
