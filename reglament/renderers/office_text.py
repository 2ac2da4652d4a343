"""The office page's interface text in Kazakh, Russian and English: the one catalogue.

The Kazakh and Russian words are those the reglaments and the state bodies' own systems use
(көрсетілетін қызметті алушы / услугополучатель, қолхат / расписка, рәсім / процедура, орындау
мерзімі / срок исполнения). What comes from a definition (a service's title, a step's action)
is written in the user's language when the act has it (``Text.best``); what the engine explains
(how a due instant was counted) stays as the engine writes it; a case's state (open,
suspended, finished), its channel's and variant's names, the kinds of its history's events
(``ev_`` and the kind, the kind's code beside) and the time allowed for a step or the term
(:func:`allowed_text`) are the user's language's.
Dates and durations are written by :mod:`reglament.renderers.dates`, as the notifications do.
``tests/renderers/test_office.py`` holds every key to all three languages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reglament.renderers.dates import format_duration
from reglament.schemas import Language, Unit

# key: (kk, ru, en)
_WORDS: dict[str, tuple[str, str, str]] = {
    "app": (
        "Мемлекеттік қызметтер: өтініштер",
        "Государственные услуги: обращения",
        "State services: cases",
    ),
    "language": ("Тіл", "Язык", "Language"),
    "sign_in": ("Кіру", "Вход", "Sign in"),
    "sign_out": ("Шығу", "Выход", "Sign out"),
    "token": ("Қол жеткізу токені", "Токен доступа", "Access token"),
    "token_refused": (
        "Токен танылмады немесе кері қайтарып алынған",
        "Токен не распознан или отозван",
        "The token is unknown or revoked",
    ),
    "form_refused": (
        "Нысан ескірген: бетті жаңартып, қайталаңыз",
        "Форма устарела: обновите страницу и повторите",
        "The form has expired: reload the page and try again",
    ),
    "signed_in_as": ("Пайдаланушы", "Пользователь", "Signed in as"),
    "region": ("Өңір", "Регион", "Region"),
    "role": ("Рөлі", "Роль", "Role"),
    "inbox": ("Өтініштер тізбесі", "Перечень обращений", "Inbox"),
    "as_of": ("Жағдай бойынша", "По состоянию на", "As of"),
    "overdue": ("Мерзімі өткендер", "Просроченные", "Overdue"),
    "at_risk": ("Мерзімі бұзылу қаупі барлар", "Под угрозой нарушения срока", "At risk"),
    "rest": ("Қалғандары", "Остальные", "The rest"),
    "none": ("Өтініштер жоқ", "Обращений нет", "No cases"),
    "receipt": ("Қолхат", "Расписка", "Receipt"),
    "service": ("Мемлекеттік көрсетілетін қызмет", "Государственная услуга", "Service"),
    "step": ("Рәсім (іс-қимыл)", "Процедура (действие)", "Step"),
    "actor": ("Орындаушы", "Исполнитель", "Actor"),
    "due": ("Орындау мерзімі", "Срок исполнения", "Due"),
    "late": ("Мерзімнің өтуі", "Просрочка", "Late by"),
    "term": (
        "Мемлекеттік қызметті көрсету мерзімі",
        "Срок оказания государственной услуги",
        "Term of the service",
    ),
    "term_due": ("Көрсету мерзімі", "Срок оказания", "Term due"),
    "on_time": ("мерзімінде", "в срок", "on time"),
    "untimed": ("мерзімі белгіленбеген", "срок не установлен", "no time limit"),
    "by_schedule": ("кесте бойынша", "по графику", "by the schedule"),
    "no_term": (
        "актіде жалпы мерзім көрсетілмеген",
        "общий срок в акте не указан",
        "the act states no overall term",
    ),
    "under_a_day": ("бір жұмыс күнінен аз", "менее одного рабочего дня", "under a working day"),
    "open": ("Қаралуда", "На рассмотрении", "Open"),
    "finished": ("Аяқталды", "Завершено", "Finished"),
    "suspended": ("Тоқтатылды", "Приостановлено", "Suspended"),
    "case": ("Өтініш", "Обращение", "Case"),
    "channel": ("Өтініш беру тәсілі", "Способ обращения", "Channel"),
    "revision": ("Нұсқасы", "Редакция", "Revision"),
    "timeline": ("Мерзімдер", "Сроки", "Timeline"),
    "started": ("Басталды", "Начато", "Started"),
    "done": ("Орындалды", "Исполнено", "Done"),
    "under_way": ("орындалуда", "исполняется", "under way"),
    "explanation": ("Мерзімді есептеу", "Расчёт срока", "How the due was counted"),
    "diagram": ("Блок-схема", "Блок-схема", "Flow diagram"),
    "no_diagram": (
        "Сызба салынбады: серверде Graphviz жоқ",
        "Схема не построена: на сервере нет Graphviz",
        "No diagram: Graphviz is not installed on the server",
    ),
    "current_mark": (
        "Өтініш тұрған рәсім қалың жиекпен белгіленген",
        "Процедура, на которой находится обращение, обведена жирной рамкой",
        "The step where the case stands has a thick border",
    ),
    "history": ("Әрекеттер тарихы", "История действий", "History"),
    "when": ("Уақыты", "Время", "When"),
    "event": ("Оқиға", "Событие", "Event"),
    "who": ("Кім", "Кто", "Who"),
    "comment": ("Түсініктеме", "Комментарий", "Comment"),
    "moves": ("Қолжетімді әрекеттер", "Доступные действия", "Moves allowed now"),
    "no_moves": (
        "Сізге қолжетімді әрекет жоқ",
        "Доступных вам действий нет",
        "No move is yours to make",
    ),
    "complete": ("Орындалғанын белгілеу", "Отметить исполнение", "Complete"),
    "written": ("Жазылды", "Записано", "Recorded"),
    "refused": ("Жазылмады", "Не записано", "Not recorded"),
    "reglament": ("Регламент", "Регламент", "Reglament"),
    "terms": (
        "Мерзімдер және ең нашар жағдайлар",
        "Сроки и наихудшие случаи",
        "Terms and their worst cases",
    ),
    "scope": ("Тәсілі мен түрі", "Способ и вариант", "Channel and variant"),
    "path": ("Жолы", "Путь", "Path"),
    "counted": ("Есептелген уақыт", "Учтённое время", "Time counted"),
    "worst": ("Ең нашар жағдай", "Наихудший случай", "Worst case"),
    "overruns": (
        "Мерзімнен асатын жағдайлар үлесі",
        "Доля случаев с нарушением срока",
        "Share that overruns",
    ),
    "findings": ("Аудит ескертулері", "Замечания аудита", "Audit findings"),
    "no_findings": ("Ескертулер жоқ", "Замечаний нет", "No findings"),
    "severity": ("Маңыздылығы", "Важность", "Severity"),
    "code": ("Коды", "Код", "Code"),
    "where": ("Орны", "Место", "Where"),
    "message": ("Мазмұны", "Содержание", "Message"),
    "back": ("Тізбеге оралу", "К перечню", "Back to the inbox"),
    "not_found": ("Табылмады", "Не найдено", "Not found"),
    "forbidden": ("Рұқсат етілмеген", "Доступ запрещён", "Not allowed"),
    "problem": ("Сұрау орындалмады", "Запрос не выполнен", "The request was not done"),
    # the kinds of a case's history (procedure/events.py: Kind; data_set: the store's own)
    "ev_accepted": ("Өтініш қабылданды", "Обращение принято", "Accepted"),
    "ev_step_started": ("Рәсім басталды", "Начата процедура", "Step started"),
    "ev_step_completed": ("Рәсім орындалды", "Процедура исполнена", "Step completed"),
    "ev_step_overdue": ("Рәсімнің мерзімі өтті", "Срок процедуры истёк", "Step overdue"),
    "ev_term_at_risk": (
        "Мерзімнің бұзылу қаупі",
        "Угроза нарушения срока",
        "Term at risk",
    ),
    "ev_term_overdue": (
        "Көрсету мерзімі өтті",
        "Срок оказания услуги истёк",
        "Term overdue",
    ),
    "ev_suspended": ("Тоқтатылды", "Приостановлено", "Suspended"),
    "ev_resumed": ("Қайта басталды", "Возобновлено", "Resumed"),
    "ev_data_unavailable": ("Мәліметтер алынбады", "Сведения не получены", "Data unavailable"),
    "ev_refused": ("Бас тартылды", "Отказано", "Refused"),
    "ev_result_ready": ("Нәтиже дайын", "Результат готов", "Result ready"),
    "ev_ended": ("Аяқталды", "Завершено", "Ended"),
    "ev_migrated": (
        "Регламенттің басқа редакциясына көшірілді",
        "Переведено на другую редакцию регламента",
        "Moved to another version",
    ),
    "ev_reprojected": (
        "Мерзімдер қайта есептелді",
        "Сроки пересчитаны",
        "Due instants re-projected",
    ),
    "ev_data_set": ("Мәліметтер енгізілді", "Внесены сведения", "Data recorded"),
}

_INDEX = {Language.kk: 0, Language.ru: 1, Language.en: 2}


def in_language(forms: tuple[str, str, str], language: Language | str) -> str:
    """The one of ``forms`` (kk, ru, en: the catalogues' order) in ``language``."""
    return forms[_INDEX[Language(language)]]


def words(language: Language | str) -> dict[str, str]:
    """Every key of the catalogue in ``language``."""
    return {key: in_language(forms, language) for key, forms in _WORDS.items()}


def keys() -> frozenset[str]:
    return frozenset(_WORDS)


def late_text(working_days: int | None, language: Language | str) -> str:
    """How late, in working days as the notifications write them (``3 жұмыс күні``, ``3 рабочих
    дня``, ``3 working days``); less than one is said so; ``None`` (not late) is on time."""
    said = words(language)
    if working_days is None:
        return said["on_time"]
    if working_days < 1:
        return said["under_a_day"]
    return format_duration(working_days, Unit.working_days, language)


def allowed_text(amount: Mapping[str, Any] | None, missing: str, language: Language | str) -> str:
    """The time a step or the term is allowed (a re-audit's ``amount``: its value and unit),
    written as the notifications write durations (``7 жұмыс күні``, ``7 рабочих дней``); a
    unit with no number by the catalogue's word (``untimed``, ``by_schedule``); no amount at
    all by the catalogue's key ``missing`` (a step with no time limit, a term the act does not
    state)."""
    said = words(language)
    if amount is None:
        return said[missing]
    value, unit = amount["value"], str(amount["unit"])
    if value is None or unit in ("untimed", "by_schedule"):
        return said["by_schedule"] if unit == "by_schedule" else said["untimed"]
    return format_duration(value, unit, language)
