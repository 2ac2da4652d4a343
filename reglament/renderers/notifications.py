"""Notifications: the messages a case sends, in Kazakh, Russian and English, by SMS, e-mail,
personal-cabinet message or paper letter.

A declared notification (``notifications:`` in the reglament) names an event, its recipients,
media and template. The template is the reglament's own (``templates:``) when it has one of
that name, else the package's built-in one of that name, under ``templates/notifications/<lang>/``
(one file per event and language, with the macros ``subject``, ``message`` and ``sms``; the
layouts ``_email``, ``_cabinet`` and ``_letter`` wrap the message in each medium's greeting,
letterhead and signature). Templates run in Jinja2's immutable sandbox with ``StrictUndefined``,
a reglament's own bounded (:mod:`reglament.renderers.sandbox`: one message's steps, sizes,
output and nesting; the package's own are trusted and not counted), and see only the variables of :data:`~reglament.renderers.variables.PROVIDED`, built by
:mod:`reglament.renderers.context` from the engine's data. :func:`check_templates` checks,
before any case runs, that every template a reglament uses exists in each of its languages,
reads only those variables and no attribute the sandbox refuses, and renders within its
limits, and that each SMS fits in two segments. See docs/notifications.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import (
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    meta,
    nodes,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reglament.errors import Position, Problem, UsageError
from reglament.procedure.events import (
    END_EVENTS,
    STEP_EVENTS,
    at_risk_days,
    builtin_template,
    steps_named_by,
    template_name,
)
from reglament.renderers import dates, sandbox, sms
from reglament.renderers.context import (
    FALLBACK,
    Facts,
    Foreign,
    Letter,
    facts,
    languages_of,
    receipt_number,
    variables,
)
from reglament.renderers.variables import (
    ALL_VARIABLES,
    COMMON,
    LETTER,
    PROVIDED,
    borrowed_template_fits,
)
from reglament.schemas import (
    End,
    Event,
    Language,
    Medium,
    Notification,
    Recipient,
    Reglament,
    Text,
    Unit,
)
from reglament.schemas import Template as Override
from reglament.source.document import Document, PathKey, dotted

if TYPE_CHECKING:  # rendering a case needs the engine; checking templates does not
    from reglament.engine.case import Case
    from reglament.engine.runtime import Engine, Notice
    from reglament.engine.simulate import Timeline

__all__ = [
    "ALL_VARIABLES",
    "COMMON",
    "FALLBACK",
    "PROVIDED",
    "Checked",
    "Facts",
    "Letter",
    "Message",
    "as_json",
    "builtin_problems",
    "check_templates",
    "compose",
    "facts",
    "languages_of",
    "message_dict",
    "messages",
    "receipt_number",
    "render",
    "template_name",
    "variables",
]

TEMPLATE_DIR = "templates/notifications"
TEMPLATE_ROOT = f"reglament/renderers/{TEMPLATE_DIR}"  # how problems name the built-in files
PARTS = ("subject", "message", "sms")
LAYOUTS = (Medium.email, Medium.cabinet, Medium.letter)

SUBJECT_LABEL = {Language.kk: "Тақырып", Language.ru: "Тема", Language.en: "Subject"}

LAYOUT_VARIABLES = COMMON | {"subject", "message"} | LETTER


# -- the Jinja environment: package templates only, sandboxed, strict -----------------------------


def capfirst(value: object) -> str:
    """The text with its first letter capitalised and the rest as it is (Jinja's ``capitalize``
    lowers the rest, which would spoil names such as ХҚО)."""
    text = str(value)
    return text[:1].upper() + text[1:]


def quoted(value: object) -> str:
    """The text in guillemets, «…», unless it is a text in the other original language, which
    is in them already with its language said (``context.Foreign``): «…» (на казахском языке)."""
    if isinstance(value, Foreign):
        return str(value)
    return f"«{value}»"


OPTIONS: dict[str, Any] = {
    "undefined": StrictUndefined,
    "autoescape": False,  # plain text in every medium; nothing here is HTML
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": False,
    "auto_reload": False,
}
FILTERS: dict[str, Callable[..., str]] = {"capfirst": capfirst, "quoted": quoted}


@functools.cache
def environment() -> sandbox.BoundedSandbox:
    """Where a reglament's own templates (untrusted input) run: bounded (sandbox.py). A
    package template one of them imports or includes is compiled and bounded here too."""
    env = sandbox.BoundedSandbox(
        loader=PackageLoader("reglament.renderers", TEMPLATE_DIR), **OPTIONS
    )
    for name, function in FILTERS.items():
        env.add_filter(name, function)
    return env


@functools.cache
def package_environment() -> ImmutableSandboxedEnvironment:
    """Where the package's own templates run when a message is rendered: each event's
    messages and the layouts, shipped with the code and held by the test suite (their
    problems, :func:`builtin_problems`, and every text they write, the golden files). They are
    trusted, so they run without the bounded sandbox's counting (which took most of a
    message's time), in Jinja's immutable sandbox with the same options and filters. What a
    reglament's own template wrote reaches them as a text, never as something to run."""
    env = ImmutableSandboxedEnvironment(
        loader=PackageLoader("reglament.renderers", TEMPLATE_DIR), **OPTIONS
    )
    env.filters.update(FILTERS)
    return env


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """A reglament's template text, compiled once (raises TemplateSyntaxError)."""
    return environment().from_string(source)


# -- templates ----------------------------------------------------------------------------------


def builtin_file(event: Event | str, language: Language | str) -> str:
    return f"{Language(language).value}/{Event(event).value}.j2"


@functools.cache
def _builtin(event: Event, language: Language) -> Template:
    """The package's template of ``event`` in ``language``, loaded once."""
    return package_environment().get_template(builtin_file(event, language))


@functools.cache
def _layout(language: Language, medium: Medium) -> Template:
    """The package's layout of ``medium`` in ``language``, loaded once."""
    return package_environment().get_template(f"{language.value}/_{medium.value}.j2")


@dataclass(frozen=True, slots=True)
class Message:
    """One rendered notification to one recipient in one medium and language."""

    reglament: str
    event: Event
    template: str  # the template's name (the reglament's own, or the built-in event's)
    own: bool  # True for the reglament's own template
    medium: Medium
    language: Language
    recipient: Recipient
    subject: str | None  # e-mail subject, cabinet title (a letter carries it in its body)
    body: str
    notes: tuple[str, ...] = ()  # texts taken from another language

    @property
    def text(self) -> str:
        """The message as shown: the subject line (e-mail, cabinet) and the body."""
        if self.subject is None:
            return self.body
        return f"{SUBJECT_LABEL[self.language]}: {self.subject}\n\n{self.body}"

    @property
    def sms_length(self) -> sms.SmsLength:
        return sms.measure(self.body)


def _macro(module: object, name: str) -> str:
    """Call a macro of a template module (the built-in templates define subject, message, sms)."""
    return str(getattr(module, name)())


def _tidy(text: str) -> str:
    """Trailing spaces dropped, runs of blank lines made one, ends trimmed."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Parts:
    """The subject, message and SMS text of one template in one language, as callables."""

    def __init__(
        self,
        reglament: Reglament,
        name: str,
        event: Event,
        language: Language,
    ) -> None:
        self.name = name
        self.own: Override | None = reglament.templates.get(name)
        self.event = event
        self.language = language
        self.part: str | None = None  # the part of the reglament's own template rendering

    def render(self, values: dict[str, Any], medium: Medium) -> tuple[str | None, str]:
        """The subject (``None`` for an SMS, which has none) and the text ``medium`` sends: an
        SMS's short form, else the message its layout wraps. Of a built-in template only the
        macros the medium sends are called (they are the package's: one not called cannot
        fail); every part of the reglament's own is rendered by every medium, so that a part
        that fails fails whatever the medium, and validate reports it at that part."""
        texting = medium is Medium.sms
        # a built-in template by its name (which may be another event's, e.g. the accepted
        # receipt sent when a step ends); the reglament's own falls back on its event's
        source = Event(self.name) if self.own is None else self.event
        builtin = _builtin(source, self.language).make_module(values)
        if self.own is None:
            if texting:
                return None, _one_line(_macro(builtin, "sms"))
            return _one_line(_macro(builtin, "subject")), _tidy(_macro(builtin, "message"))
        own, lang = self.own, self.language
        body = own.body.get(lang)
        if body is None:
            raise UsageError(
                f"template {self.name!r} has no {lang.value} body "
                f"(it has {', '.join(x.value for x in own.body.languages())})"
            )
        message = self._own("body", body, values, _tidy)
        own_subject = own.subject.get(lang) if own.subject is not None else None
        if own_subject is not None:
            subject = self._own("subject", own_subject, values, _one_line)
        else:
            subject = _one_line(_macro(builtin, "subject"))
        sms_source = own.sms.get(lang) if own.sms is not None else None
        short = self._own("sms", sms_source, values, _one_line) if sms_source else message
        return (None, _one_line(short)) if texting else (subject, message)

    def _own(
        self, part: str, source: str, values: Mapping[str, Any], tidy: Callable[[str], str]
    ) -> str:
        self.part = part
        text = tidy(_compiled(source).render(values))
        self.part = None
        return text


class TemplateFailed(UsageError):
    """A template failed while rendering (an undefined name, the sandbox's refusal, one of
    its limits); ``part`` names the part of the reglament's own template that failed
    (``body``, ``subject``, ``sms``), None for a built-in template or layout."""

    def __init__(self, message: str, reason: str, part: str | None) -> None:
        super().__init__(message)
        self.reason = reason
        self.part = part


def compose(
    reglament: Reglament,
    name: str,
    fact: Facts,
    language: Language,
    medium: Medium,
    recipient: Recipient,
    letter: Letter | None = None,
) -> Message:
    """Render template ``name`` for one notice's facts (see :func:`render`)."""
    lang, medium = Language(language), Medium(medium)
    values, notes = variables(reglament, fact, lang, medium, recipient)
    parts = _Parts(reglament, name, fact.event, lang)
    try:
        with sandbox.bounded():  # one message, one budget (see sandbox.py)
            subject, text = parts.render(values, medium)
            if subject is None:
                body, title = text, None
            else:
                layout = _layout(lang, medium)
                framing = {**values, **_letter_values(values, letter or Letter())}
                body = _tidy(layout.render({**framing, "subject": subject, "message": text}))
                title = None if medium is Medium.letter else subject
    except RENDER_ERRORS as error:
        reason = _describe(error)
        raise TemplateFailed(
            f"template {name!r} ({lang.value}, {medium.value}) of {reglament.id} fails: {reason}",
            reason,
            parts.part,
        ) from None
    if lang not in reglament.title.languages():
        have = ", ".join(x.value for x in reglament.title.languages())
        notes.insert(0, f"{reglament.id} has no {lang.value} texts (it has {have})")
    return Message(
        reglament.id,
        fact.event,
        name,
        parts.own is not None,
        medium,
        lang,
        Recipient(recipient),
        title,
        body,
        tuple(notes),
    )


def _letter_values(values: Mapping[str, Any], letter: Letter) -> dict[str, str]:
    """The letter's own variables: the caller's, the sender defaulting to the letterhead (the
    channel's ``letterhead``, else the channel when it is one body, else the provider)."""
    default = values["letterhead"]
    return {
        "letter_number": " ".join((letter.number or "").split()),
        "letter_sender": " ".join((letter.sender or default).split()),
        "signatory_position": " ".join((letter.position or "").split()),
        "signatory_name": " ".join((letter.name or "").split()),
    }


def render(
    engine: Engine,
    case: Case,
    notice: Notice,
    language: Language | str,
    medium: Medium | str,
    recipient: Recipient | str | None = None,
    *,
    timeline: Timeline | None = None,
    receipt: str | None = None,
    letter: Letter | None = None,
) -> Message:
    """The message ``notice`` sends to ``recipient`` (default: its first) by ``medium`` in
    ``language``. Any medium and language may be asked for; texts the reglament lacks in the
    language are taken from another and listed in ``Message.notes``. ``letter`` gives a paper
    letter's outgoing number, sender and signatory (what it leaves out is a line to fill in)."""
    chosen = Recipient(recipient) if recipient is not None else notice.notification.to[0]
    fact = facts(engine, case, notice, timeline=timeline, receipt=receipt)
    return compose(
        engine.reglament,
        template_name(notice.notification),
        fact,
        Language(language),
        Medium(medium),
        chosen,
        letter,
    )


def messages(
    engine: Engine,
    case: Case,
    notices: Iterable[Notice],
    language: Language | str,
    medium: Medium | str,
    *,
    timeline: Timeline | None = None,
) -> list[Message]:
    """Every message of ``notices``: one per recipient each."""
    return [
        render(engine, case, notice, language, medium, recipient, timeline=timeline)
        for notice in notices
        for recipient in notice.notification.to
    ]


# what a template can raise while it renders: Jinja's errors (undefined variables, the
# sandbox's refusals and limits) and the arithmetic and type errors of its expressions
RENDER_ERRORS = (TemplateError, ArithmeticError, TypeError, ValueError, LookupError)


def _describe(error: Exception) -> str:
    if isinstance(error, TemplateSyntaxError):
        return f"line {error.lineno}: {error.message}"
    if isinstance(error, TemplateError):
        return str(error.message or error)
    return f"{type(error).__name__}: {error}"


# -- checking templates before any case runs ------------------------------------------------------


@dataclass(slots=True)
class Checked:
    """What :func:`check_templates` found: problems (the file is invalid), warnings, and the
    size of each template sent by SMS in each language (validate's notes)."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sizes: list[sms.SmsSize] = field(default_factory=list)


def _variables_of(source: str) -> tuple[set[str], set[str]]:
    """The variables a template reads and the macros it defines (raises TemplateSyntaxError)."""
    ast = _parse(source)
    macros = {node.name for node in ast.find_all(nodes.Macro)}
    return _undeclared(ast), macros


def _reads(source: str) -> tuple[set[str], list[tuple[int, str]]]:
    """The variables a template reads, and (line, attribute) for each attribute it reads
    that the sandbox refuses; raises TemplateSyntaxError when it does not parse or compile
    (compiling runs nothing of it: the sandbox folds no constants)."""
    ast = _parse(source)
    used, forbidden = _undeclared(ast), sandbox.forbidden_reads(ast, environment())
    _compiled(source)
    return used, forbidden


def _parse(source: str) -> nodes.Template:
    try:
        return environment().parse(source)
    except RecursionError:
        raise TemplateSyntaxError("the template is nested too deeply", 1) from None


def _undeclared(ast: nodes.Template) -> set[str]:
    try:
        return set(meta.find_undeclared_variables(ast))
    except RecursionError:
        raise TemplateSyntaxError("the template is nested too deeply", 1) from None


@functools.cache
def builtin_variables(event: Event, language: Language) -> frozenset[str]:
    """The variables the built-in template of ``event`` reads in ``language``."""
    env = environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, builtin_file(event, language))
    return frozenset(_variables_of(source)[0])


@functools.cache
def builtin_problems() -> tuple[Problem, ...]:
    """Problems of the package's own templates (none, unless an edit broke one): each event's
    file exists in each language, defines subject, message and sms, and reads only the
    variables of its event; each layout reads only the common ones."""
    env = environment()
    found: list[Problem] = []
    for language in Language:
        files: list[tuple[str, frozenset[str], set[str]]] = [
            (builtin_file(e, language), PROVIDED[e], set(PARTS)) for e in Event
        ]
        files += [(f"{language.value}/_{m.value}.j2", LAYOUT_VARIABLES, set()) for m in LAYOUTS]
        files.append((f"{language.value}/_common.j2", COMMON, set()))
        for name, allowed, parts in files:
            where = Position(f"{TEMPLATE_ROOT}/{name}", 1, 1)
            try:
                assert env.loader is not None
                source, _, _ = env.loader.get_source(env, name)
                used, macros = _variables_of(source)
            except TemplateSyntaxError as error:
                at = Position(where.file, error.lineno, 1)
                found.append(Problem(at, f"template syntax: {error.message}", code="template"))
                continue
            except TemplateError:
                found.append(Problem(where, "built-in template missing", code="template"))
                continue
            if used - allowed:
                unknown = ", ".join(repr(n) for n in sorted(used - allowed))
                found.append(
                    Problem(
                        where,
                        f"reads {unknown}, which its notices do not provide "
                        f"(provided: {', '.join(sorted(allowed))})",
                        code="template",
                    )
                )
            if parts - macros:
                found.append(
                    Problem(
                        where,
                        f"defines no macro {', '.join(sorted(parts - macros))}",
                        code="template",
                    )
                )
    return tuple(found)


# what validate's sample renders of one file's own templates may take together: every step,
# channel and variant an SMS may name is tried, so a file could otherwise multiply one
# message's budget by the size of its reglament
MAX_CHECK_STEPS = 5 * sandbox.MAX_STEPS


@dataclass(slots=True)
class _Check:
    """The state of one :func:`check_templates` run."""

    reglament: Reglament
    document: Document | None
    found: Checked = field(default_factory=Checked)
    failing: set[str] = field(default_factory=set)  # templates already reported
    steps: int = 0  # spent by sample renders of the reglament's own templates

    def add(self, path: PathKey, message: str, *, warning: bool = False) -> None:
        at = (
            Position(self.reglament.id, 0, 0)
            if self.document is None
            else self.document.position(path)
        )
        target = self.found.warnings if warning else self.found.problems
        problem = Problem(at, message, dotted(path), "sms-length" if warning else "template")
        if problem not in target:
            target.append(problem)

    def measured(self, path: PathKey, name: str, language: Language, length: sms.SmsLength) -> None:
        """Record the size of template ``name``'s SMS in ``language`` (once per template and
        language: the largest, when several notifications send it)."""
        at = (
            Position(self.reglament.id, 0, 0)
            if self.document is None
            else self.document.position(path)
        )
        size = sms.SmsSize(at, dotted(path), name, language.value, length)
        for number, known in enumerate(self.found.sizes):
            if (known.template, known.language) == (name, language.value):
                if length.units > known.length.units:
                    self.found.sizes[number] = size
                return
        self.found.sizes.append(size)


def check_templates(reglament: Reglament, document: Document | None = None) -> Checked:
    """Every problem of the templates ``reglament`` uses, positioned in its file when
    ``document`` is given: each of its own templates compiles, reads no attribute the sandbox
    refuses and only the variables the events of the notifications that use it provide (one
    no notification names, any variable some event provides), and has a body in each language
    those notifications are sent in; each one a notification uses renders, within the
    sandbox's limits, in each of its media and languages; each SMS is measured with the
    reglament's longest texts and warned about when it needs more than two segments. The
    built-in templates are :func:`builtin_problems`' concern."""
    check = _Check(reglament, document)
    users: dict[str, set[Event]] = {}
    for notification in reglament.notifications:
        users.setdefault(template_name(notification), set()).add(notification.on)
    for name, own in reglament.templates.items():
        _check_own(check, name, own, users.get(name))
    for index, notification in enumerate(reglament.notifications):
        name = template_name(notification)
        used_own = reglament.templates.get(name)
        if used_own is None and builtin_template(name) is None:
            continue  # the loader reports an undeclared template
        if used_own is None and not _borrowed_fits(check, index, notification):
            continue
        for language in languages_of(reglament, notification):
            if used_own is not None and used_own.body.get(language) is None:
                check.failing.add(name)
                check.add(
                    ("templates", name, "body"),
                    f"template {name!r} has no {language.value} body, but notifications[{index}] "
                    f"is sent in {', '.join(x.value for x in languages_of(reglament, notification))}",
                )
        if name not in check.failing:
            _check_renders(check, index, notification)
    check.found.problems.sort(key=Problem.sort_key)
    check.found.warnings.sort(key=Problem.sort_key)
    check.found.sizes.sort(key=lambda size: (size.position.line, size.template, size.language))
    return check.found


def _check_own(check: _Check, name: str, own: Override, events: set[Event] | None) -> None:
    """The problems of one of the reglament's own templates found without rendering it."""
    # a template shared by several events may read what all of them provide; one that no
    # notification names yet, anything some notice provides
    allowed = frozenset.intersection(*(PROVIDED[e] for e in events)) if events else ALL_VARIABLES
    which = (
        f"notices on {', '.join(sorted(e.value for e in events))} do not provide"
        if events
        else "no notice provides"
    )
    for part in ("subject", "body", "sms"):
        value: Text | None = getattr(own, part)
        for language in value.languages() if value is not None else ():
            path: PathKey = ("templates", name, part, language.value)
            label = f"template {name!r} ({language.value})"
            try:
                used, forbidden = _reads(value.get(language) or "") if value else (set(), [])
            except TemplateSyntaxError as error:
                check.failing.add(name)
                check.add(path, f"{label}: {_describe(error)}")
                continue
            for line, attribute in forbidden:
                check.failing.add(name)
                check.add(
                    path, f"{label}: line {line}: reads {attribute!r}, which the sandbox forbids"
                )
            if used - allowed:
                check.failing.add(name)
                check.add(
                    path,
                    f"{label} reads {', '.join(repr(n) for n in sorted(used - allowed))}, which "
                    f"{which} (provided: {', '.join(sorted(allowed))})",
                )


def _borrowed_fits(check: _Check, index: int, notification: Notification) -> bool:
    """Whether the built-in template a notification borrows from another event reads only
    what its own event provides (reported when it does not)."""
    if borrowed_template_fits(notification):
        return True
    name, allowed = template_name(notification), PROVIDED[notification.on]
    for language in languages_of(check.reglament, notification):
        reads = builtin_variables(Event(name), language)
        if reads - allowed:
            check.add(
                ("notifications", index, "template"),
                f"the built-in template {name!r} reads "
                f"{', '.join(repr(n) for n in sorted(reads - allowed))}, which notices "
                f"on {notification.on.value} do not provide",
            )
            return False
    return True


def _check_renders(check: _Check, index: int, notification: Notification) -> None:
    """Render what ``notification`` sends with sample facts: the reglament's own template in
    each medium, language and to each recipient (a failure is a problem at the part that
    failed), and each SMS with every sample, to warn when the longest needs too many
    segments."""
    reglament, name = check.reglament, template_name(notification)
    own = reglament.templates.get(name)
    texting = Medium.sms in notification.via
    if own is None and not texting:
        return  # the built-in templates render: the test suite holds them to it
    for language in languages_of(reglament, notification):
        worst: sms.SmsLength | None = None
        samples = sample_facts(reglament, notification, language)
        for number, fact in enumerate(samples if texting else samples[:1]):
            # an own template's first sample in each medium, every sample as an SMS
            media = notification.via if own is not None and number == 0 else [Medium.sms]
            for recipient in notification.to:
                for medium in media:
                    message = _sample(check, index, notification, fact, language, medium, recipient)
                    if message is None:
                        return
                    length = message.sms_length if medium is Medium.sms else None
                    if length is not None and (worst is None or length.units > worst.units):
                        worst = length
        if worst is None:
            continue
        if own is not None:
            part = "sms" if own.sms is not None and own.sms.get(language) else "body"
            path: PathKey = ("templates", name, part, language.value)
        else:
            path = ("notifications", index, "via")
        check.measured(path, name, language, worst)
        if worst.segments > sms.MAX_SEGMENTS:
            check.add(
                path,
                f"warning: the SMS of template {name!r} ({language.value}) needs "
                f"{worst} at its longest; at most {sms.MAX_SEGMENTS} segments are wanted",
                warning=True,
            )


def _sample(
    check: _Check,
    index: int,
    notification: Notification,
    fact: Facts,
    language: Language,
    medium: Medium,
    recipient: Recipient,
) -> Message | None:
    """One sample render, or None when it fails (reported) or the file's renders have taken
    ``MAX_CHECK_STEPS`` (reported)."""
    name = template_name(notification)
    own = check.reglament.templates.get(name)
    if check.steps > MAX_CHECK_STEPS:
        return None
    budget = sandbox.Budget()
    try:
        with sandbox.bounded(budget):
            message = compose(check.reglament, name, fact, language, medium, recipient)
    except TemplateFailed as failure:
        path: PathKey = (
            ("templates", name, failure.part or "body", language.value)
            if own is not None
            else ("notifications", index, "template")
        )
        check.failing.add(name)
        check.add(
            path, f"template {name!r} ({language.value}, {medium.value}) fails: {failure.reason}"
        )
        return None
    finally:
        check.steps += budget.steps if own is not None else 0
    if check.steps > MAX_CHECK_STEPS:
        check.failing.add(name)
        check.add(
            ("templates", name, "body", language.value),
            f"template {name!r} ({language.value}): its sample renders (each step, channel and "
            f"variant an SMS may name) take more than {MAX_CHECK_STEPS:,} steps in all",
        )
        return None
    return message


SAMPLE_RECEIPT = "KAR-20250928-ABCDEF"  # as long as a derived number (ATY-20121228-B87D21): 19


def sample_facts(
    reglament: Reglament, notification: Notification, language: Language
) -> list[Facts]:
    """Facts with the longest values a notice of ``notification`` can have in ``reglament``
    (every step or end its event may name, every channel and variant), for the SMS length
    check. Dates are the longest ``language`` writes (a late day of its longest month)."""
    zone = ZoneInfo(reglament.timezone)
    at = dt.datetime.combine(dates.longest_date(language), dt.time(18, 30), zone)
    event = notification.on
    steps: list[str | None] = []
    ends: list[str | None] = []
    if event in STEP_EVENTS or event is Event.term_at_risk:
        steps = [*steps_named_by(reglament, notification)]
    elif event in END_EVENTS:
        ends = (
            [notification.end]
            if notification.end
            else [s for s, step in reglament.steps.items() if isinstance(step, End)]
        )
    variants: list[str | None] = [*reglament.variants] or [None]
    return [
        Facts(
            event=event,
            receipt=SAMPLE_RECEIPT,
            submitted=at,
            accepted=at,
            at=at,
            due=at,
            due_kind="earliest",
            channel=channel,
            variant=variant,
            term=(99, Unit.calendar_days),
            step=step,
            end=end,
            step_due=at,
            days_before=at_risk_days(reglament, notification),
        )
        for channel in reglament.channels
        for variant in variants
        for step in steps or [None]
        for end in ends or [None]
    ]


def message_dict(message: Message) -> dict[str, Any]:
    """A message as JSON-ready data (with its SMS size when it is an SMS)."""
    found: dict[str, Any] = {
        "reglament": message.reglament,
        "event": message.event.value,
        "template": message.template,
        "own_template": message.own,
        "medium": message.medium.value,
        "language": message.language.value,
        "recipient": message.recipient.value,
        "subject": message.subject,
        "body": message.body,
        "notes": list(message.notes),
    }
    if message.medium is Medium.sms:
        length = message.sms_length
        found["sms"] = {
            "encoding": length.encoding,
            "units": length.units,
            "segments": length.segments,
        }
    return found


def as_json(found: Iterable[Message]) -> str:
    return json.dumps([message_dict(m) for m in found], ensure_ascii=False, indent=2)
