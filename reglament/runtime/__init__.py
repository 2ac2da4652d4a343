"""The runtime's parts that need no database: the due instants of an open case and how each
fires (``timers``), the re-audit of a case's history (``audit``), the outbox's messages
(``messages``) and their delivery (``delivery``). The store (``reglament.store``) persists what
they compute; see docs/runtime.md."""
