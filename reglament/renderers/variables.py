"""The variables notification templates may read, per event: what the engine's context
provides (``context.py`` builds it). Kept apart from the engine so that ``reglament
validate`` can check a reglament's notifications without importing the engine."""

from __future__ import annotations

from reglament.procedure.events import builtin_template
from reglament.schemas import Event, Notification

COMMON = frozenset(
    {
        "lang",  # kk, ru or en
        "medium",  # sms, email, cabinet or letter
        "event",  # the event's name, e.g. accepted
        "recipient",  # applicant, actor or head
        "recipient_name",  # the actor's or head's name ("" for the applicant)
        "service",  # the reglament's title
        "provider",  # who provides the service
        "reglament_id",
        "receipt",  # the application's number, e.g. KAR-20151214-5C0E9B
        "submitted",  # date and time of submission, e.g. 24 марта 2025 г., 18:30
        "accepted",  # date and time of acceptance
        "accepted_date",  # its date alone
        "at",  # date and time of the event
        "at_date",
        "due",  # date and time the result is due (see due_kind)
        "due_date",
        "due_numeric",  # the due day as an SMS writes it, e.g. 16.01.2013
        "at_numeric",  # the event's day so, e.g. 28.12.2012
        "at_numeric_time",  # the event's day and time so, e.g. 28.12.2012 17:40
        "due_kind",  # term: the legal term's due; planned: the act states no term, the
        # steps' times give this date; earliest: the same, but some step has no time in the act
        "term",  # the legal term in words, e.g. 15 жұмыс күні ("" when the act states none)
        "channel",  # where the application was made (the act's name of the channel)
        "channel_kind",  # office, con, portal, rural_akim, post, pension_centre, other
        "letterhead",  # the one body heading a letter: the channel's letterhead, else the
        # channel when it is one body (office, PSC, rural akim, pension centre), else the provider
        "collect_at",  # where the result is issued: the channel, or the provider
        "variant",  # the sub-service's name ("" when the reglament has none)
        "result",  # the result's name: the end's result, else the variant's ("" if unknown)
        "result_kind",  # decision, certificate, payment, refusal, returned ... ("" if unknown)
        "applicant_term",  # the act's word for the applicant: тұтынушы, услугополучатель ...
    }
)
STEP = frozenset(
    {
        "step",  # what the step does in the act's words: its action (a wait: what is
        # awaited), else its title
        "step_title",  # the step's short name ("" if it has none), e.g. "process 4"
        "step_id",
        "step_output",  # what it produces, in the act's words ("" if the act says nothing)
        "actor",  # who does it
        "head",  # who is told when it is overdue ("" if the reglament names nobody)
        "step_due",  # when it is due ("" when the act gives it no time)
        "step_due_numeric",  # the same as an SMS writes it, e.g. 05.12.2024 18:30
    }
)
PROVIDED: dict[Event, frozenset[str]] = {
    Event.accepted: COMMON,
    Event.step_started: COMMON | STEP,
    Event.step_completed: COMMON | STEP | {"outcome"},
    Event.step_overdue: COMMON | STEP,
    Event.term_at_risk: COMMON
    | STEP
    | {"days_before", "days_before_text", "days_left", "days_left_text"},
    Event.suspended: COMMON | {"reason"},
    Event.resumed: COMMON,
    Event.data_unavailable: COMMON,
    Event.refused: COMMON | {"grounds", "standard_paragraphs"},
    Event.result_ready: COMMON,
}
ALL_VARIABLES = frozenset().union(*PROVIDED.values())

# what a paper letter's layout reads beside the common variables, the subject and the message:
# its outgoing number, the body that sends it, the signatory's position and name (the caller's;
# "" when not given)
LETTER = frozenset({"letter_number", "letter_sender", "signatory_position", "signatory_name"})


def borrowed_template_fits(notification: Notification) -> bool:
    """Whether the built-in template a notification names can read nothing its event lacks:
    true when it names its own event's (or a template of the reglament's, checked apart), or
    another event that provides no more than its own."""
    borrowed = None if notification.template is None else builtin_template(notification.template)
    if borrowed is None or borrowed is notification.on:
        return True
    return PROVIDED[borrowed] <= PROVIDED[notification.on]
