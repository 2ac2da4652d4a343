"""What a definition means: one owner for each rule the engine, the batch, the audit and the
renderers apply to a reglament.

======== =====================================================================================
events   what can happen to a case (:class:`~reglament.procedure.events.Kind`), which
         notifications it sends, the template a notification uses, when the term is at risk
graph    a step's exits (the one walk of ``next``, outcomes, ``on_timeout`` and branches),
         compiled branches, reachability, parallel blocks and the block around each
outcomes whether a step's outcome is decided by the case data, given by the caller, or fixed,
         and which outcomes a batch draws
timing   the durations written on a step, the one that applies, and the step's due instant
         (one case, and vectorised for many)
term     the legal term that applies, and its due instant pushed back by suspensions and by
         steps not counted in it, honouring the clock's ``TermRules`` (one case, and vectorised)
======== =====================================================================================

No I/O and no wall clock: the modules read definition models (``reglament.schemas``) and compute
with the calendar's clocks (``reglament.calendar``), nothing else. Where a rule has a one-case and
a vectorised form, both live side by side in the same module and a parity test holds them equal
(tests/procedure).
"""
