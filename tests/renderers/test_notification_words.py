"""The words of every bundled notification, in Kazakh and Russian, by every medium, to every
recipient, on every channel and variant whose paths send it (the cases of
tests/renderers/test_notifications_corpus.py):

- a name or a place taken from an act (the service, the provider, the channel, the place of
  collection, the letterhead, the sub-service, the result, the actor, the step's name, the
  outcome) is in the nominative: a Kazakh value does
  not end, a Russian one does not begin, with a word in an oblique case (:data:`KK_OBLIQUE`,
  :data:`RU_OBLIQUE`, each with its exceptions);
- Kazakh is written with the Cyrillic і, never the Latin i the acts often type for it, both in
  the messages and in every readable Kazakh text of the YAML (``raw`` and notes' quotes keep the
  act's characters);
- a Russian message holds no Kazakh word except inside a text it names as Kazakh.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from reglament.loader import BUNDLED
from reglament.renderers import context, notifications
from reglament.schemas import Language, Medium, Reglament, Text
from reglament.schemas.letters import cyrillic_i, latin_i
from tests.renderers.test_notifications_corpus import CASES, FILES, _reached, _reglament

NAMES = (
    "service",
    "provider",
    "channel",
    "collect_at",
    "letterhead",
    "variant",
    "result",
    "actor",
    "head",
    "step",
    "outcome",
)
"""The variables that name something the act names: they must be in the nominative."""

KK_OBLIQUE = re.compile(
    r"(ның|нің|дың|дің|тың|тің"  # genitive
    r"|ға|ге|қа|ке"  # dative
    r"|ны|ні"  # accusative after a vowel
    r"|нда|нде|дан|ден|тан|тен|нан|нен"  # locative, ablative
    r"|мен|бен|пен)$"  # instrumental
)
"""Endings of the Kazakh genitive, dative, accusative, locative, ablative and instrumental that
no nominative the bundled acts name a thing with ends in, except :data:`KK_NOMINATIVE`. (The
accusative -ды/-ді/-ты/-ті, the locative -да/-де/-та/-те and the dative -а/-е are left out: too
many nominatives end so.)"""

KK_NOMINATIVE = frozenset({"тұлға", "жеке", "аудан", "органы", "маманы"})
"""Nominatives that end like an oblique case: тұлға (a person), жеке (personal), аудан (a
district), and the possessive of a stem in -н (органы, маманы: «…берушінің кеңсе маманы»)."""

RU_OBLIQUE = re.compile(
    r"^[«\"(]?[а-яё-]*(ого|его|ому|ему|ыми|ими|ами|ями|ах|ях|ую|юю|ом|ем|чу|щу|ку)$",
    re.IGNORECASE,
)
"""Russian first words in an oblique case: adjectives in -ого/-его/-ому/-ему/-ыми/-ими/-ую/-юю
(уполномоченного органа), plural nouns in -ами/-ями/-ах/-ях (Отделами занятости, помещениях),
nouns in -ом/-ем (центром) and accusatives in -чу/-щу/-ку (Выдачу, помощь → помощь). Exceptions:
:data:`RU_NOMINATIVE`."""

RU_NOMINATIVE = frozenset({"дом", "приём", "прием", "объём", "объем"})
"""Nominatives that end like an oblique case (дом, приём, объём)."""

KAZAKH_ONLY = re.compile(r"[әіңғүұқөһӘІҢҒҮҰҚӨҺ]")
"""Letters Kazakh has and Russian has not."""

FOREIGN = re.compile(r"«[^«»]*(?:«[^«»]*»[^«»]*)*» \((?:на казахском языке|орыс тілінде)\)")
"""A text the message has only in the other original language, named as such
(:data:`reglament.renderers.context.FOREIGN`)."""


def _messages(path: Path, index: int) -> Iterator[tuple[str, dict[str, object], str]]:
    """Each Kazakh and Russian message of one declared notification: where, its variables, its
    text."""
    reglament = _reglament(path)
    for engine, case, timeline, notice in _reached(path)[index]:
        fact = context.facts(engine, case, notice, timeline=timeline)
        name = notifications.template_name(notice.notification)
        for language in (Language.kk, Language.ru):
            for medium in Medium:
                for recipient in notice.notification.to:
                    values, _ = context.variables(reglament, fact, language, medium, recipient)
                    message = notifications.compose(
                        reglament, name, fact, language, medium, recipient
                    )
                    where = (
                        f"{path.relative_to(BUNDLED)} {notice.notification.on.value}"
                        f" ({case.channel}, {case.variant}) {language.value} {medium.value}"
                        f" to {recipient.value}"
                    )
                    yield where, values, message.text


def oblique(value: str, language: Language) -> str | None:
    """The word of ``value`` in an oblique case (the last of a Kazakh name, the first of a
    Russian one), or None."""
    words = re.findall(r"[\w«\"(-]+", value)
    if not words:
        return None
    if language is Language.kk:
        word = words[-1].lower().strip('«"(')
        return word if KK_OBLIQUE.search(word) and word not in KK_NOMINATIVE else None
    word = words[0].lower()
    return word if RU_OBLIQUE.search(word) and word.strip('«"(') not in RU_NOMINATIVE else None


@pytest.mark.parametrize(("path", "index"), CASES)
def test_names_are_nominative_and_kazakh_is_cyrillic(path: Path, index: int) -> None:
    for where, values, text in _messages(path, index):
        language = Language(str(values["lang"]))
        for name in (name for name in NAMES if name in values):
            value = str(values[name])
            if FOREIGN.fullmatch(value):  # the other language's words, named as such
                continue
            word = oblique(value, language)
            assert word is None, f"{where}: {name} {value!r}: {word!r} is in an oblique case"
        if language is Language.kk:
            assert not latin_i(text), f"{where}: a Latin i in {text!r}"
        else:
            kazakh = KAZAKH_ONLY.search(FOREIGN.sub("", text))
            assert kazakh is None, f"{where}: Kazakh outside a text named as Kazakh: {text!r}"


def _texts(value: object, path: str) -> Iterator[tuple[str, Text]]:
    """Every readable text of a definition, with its path: not the act's own words (``raw``,
    notes' ``quotes``, the amendments' wording in ``source.changes``)."""
    if isinstance(value, Text):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in {"raw", "quotes", "changes"}:
                yield from _texts(getattr(value, name), f"{path}.{name}".lstrip("."))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _texts(item, f"{path}[{i}]")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BUNDLED)))
def test_readable_kazakh_texts_are_written_with_the_cyrillic_i(path: Path) -> None:
    reglament: Reglament = _reglament(path)
    for where, text in _texts(reglament, ""):
        if text.kk is not None:
            assert not latin_i(text.kk), f"{path.name}: {where}: {cyrillic_i(text.kk)!r}"


def test_the_oblique_endings_and_their_exceptions() -> None:
    kk, ru = Language.kk, Language.ru
    assert oblique('"Халықты жұмыспен қамту орталықтарымен"', kk) == "орталықтарымен"
    assert oblique("жастар практикасына жолдама беруді", kk) is None  # -ді is not listed
    assert oblique("бас тарту туралы хабарламаны", kk) == "хабарламаны"
    assert oblique("ауылдық округтің әкімінің", kk) == "әкімінің"
    assert oblique("Жеке тұлға", kk) is None and oblique("Тараз қаласының аудан", kk) is None
    assert oblique("уполномоченного органа", ru) == "уполномоченного"
    assert oblique("помещениях уполномоченного органа", ru) == "помещениях"
    assert oblique("почтового сообщения", ru) == "почтового"
    assert oblique("Выдачу направлений", ru) == "выдачу"
    assert oblique("Отделами занятости", ru) == "отделами"
    assert oblique("Дом ребёнка", ru) is None and oblique("Центр обслуживания", ru) is None


def test_the_quoted_filter_puts_native_texts_in_guillemets_and_foreign_ones_once() -> None:
    pick = context._Texts(Language.ru)
    native = pick(Text(kk="Көмек", ru="Помощь"), "service's title")
    ours = pick(Text(kk="Көмек", ru="Помощь", translated=("ru",)), "service's title")
    foreign = pick(Text(kk="Әлеуметтік көмек"), "service's title")
    assert notifications.quoted(native) == notifications.quoted(ours) == "«Помощь»"
    assert notifications.quoted(foreign) == "«Әлеуметтік көмек» (на казахском языке)"
    russian = context._Texts(Language.kk)(Text(ru="Помощь"), "service's title")
    assert notifications.quoted(russian) == "«Помощь» (орыс тілінде)"


def test_a_text_the_other_language_lends_is_named_as_such() -> None:
    text = Text(kk="Әлеуметтiк көмек")
    pick = context._Texts(Language.ru)
    assert pick(text, "result's name") == "«Әлеуметтік көмек» (на казахском языке)"
    assert pick.notes == ["no ru text for the result's name: kk used"]
    ours = context._Texts(Language.ru)
    assert ours(Text(kk="Көмек", ru="Помощь", translated=("ru",)), "provider") == "Помощь"
    assert ours.notes == ["the ru text of the provider is our translation, not the act's"]


KK_PRONOUNS = frozenset({"ол", "оны", "оған", "одан", "онда", "олар", "оларды", "оларға"})
"""Kazakh personal pronouns a result's name cut out of its sentence may begin with («оны
беруден … бас тарту», the notification named before it): the name must name the thing."""

RU_PRONOUN = re.compile(r"\b(?:в|о|об|на|с|к|от|для)\s+(?:ее|её|его|их|ней|нем|них|нее|неё)\b")
"""A Russian pronoun after a preposition («отказ в ее выдаче»): its noun is outside the name."""


def pronoun(value: str, language: Language) -> str | None:
    """The pronoun a name leans on for its thing, or None."""
    if language is Language.kk:
        words = re.findall(r"\w+", value.lower())
        return words[0] if words and words[0] in KK_PRONOUNS else None
    found = RU_PRONOUN.search(value.lower())
    return found.group(0) if found else None


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BUNDLED)))
def test_a_result_names_its_thing_not_a_pronoun(path: Path) -> None:
    for result_id, result in _reglament(path).results.items():
        for language in (Language.kk, Language.ru):
            value = result.text.get(language)
            word = pronoun(value, language) if value else None
            assert word is None, f"{path.name}: results.{result_id} {value!r}: {word!r}"


def test_the_pronoun_check() -> None:
    kk, ru = Language.kk, Language.ru
    assert pronoun("оны беруден қағаз жеткізгіште дәлелді бас тарту", kk) == "оны"
    assert pronoun("хабарламаны беруден қағаз жеткізгіште дәлелді бас тарту", kk) is None
    assert pronoun("куәлік немесе оның телнұсқасын беру", kk) is None  # its noun is before it
    assert pronoun("мотивированный отказ в ее выдаче на бумажном носителе", ru) == "в ее"
    assert pronoun("выдача удостоверения или его дубликата", ru) is None


ABBREVIATION = re.compile(
    r"(?:[a-z]*[A-Z][a-z]*[A-Z][A-Za-z]*)(?:(?: | / )[a-z]*[A-Z][a-z]*[A-Z][A-Za-z]*)*|www\.[\w.]+"
)
"""What an English name may carry in parentheses: the abbreviation, words of two capitals or
more (PSC, ZTMO / GTsVP, ARM RShEP), or the web address of the thing it names."""


def _names(reglament: Reglament) -> Iterator[tuple[str, Text]]:
    """The names a message may print: the provider, the channels, their letterheads, the
    actors."""
    yield "provider", reglament.provider
    for key, channel in reglament.channels.items():
        yield f"channels.{key}.name", channel.name
        if channel.letterhead is not None:
            yield f"channels.{key}.letterhead.name", channel.letterhead.name
    for key, actor in reglament.actors.items():
        yield f"actors.{key}.name", actor.name


def remarks(name: Text) -> list[str]:
    """The parentheses of a name's English that are our remarks, not a part of the name: not an
    abbreviation, and not the act's own (a Kazakh or Russian text with parentheses too)."""
    if name.en is None or "(" in (name.kk or "") + (name.ru or ""):
        return []
    return [p for p in re.findall(r"\(([^()]*)\)", name.en) if not ABBREVIATION.fullmatch(p)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BUNDLED)))
def test_an_english_name_carries_no_remark(path: Path) -> None:
    for where, name in _names(_reglament(path)):
        assert not remarks(name), (
            f"{path.name}: {where} {name.en!r}: move {remarks(name)} to a note"
        )


def test_the_remark_check() -> None:
    assert remarks(Text(en="Population Service Centre (10 offices, appendix 2)")) == [
        "10 offices, appendix 2"
    ]
    assert remarks(Text(en="the provider (no official named)")) == ["no official named"]
    assert remarks(Text(kk="орталығы (ХҚО)", en="Population Service Center (PSC)")) == []
    assert remarks(Text(en="State Centre for Pension Payment (ZTMO / GTsVP)")) == []
    assert remarks(Text(en="the e-government portal (www.egov.kz)")) == []
    assert remarks(Text(en="workstation of the gateway (ARM RShEP)")) == []
    assert remarks(Text(en="guardianship (Trusteeship) council")) == ["Trusteeship"]
    assert remarks(Text(ru="района (города)", en="the district (the city)")) == []  # the act's
