"""The runtime's database-free parts: the timers of an open case (``timers.py``), the re-audit
of a case's history (``audit.py``), and the outbox's messages and their delivery. The store
(``reglament/store/``) calls them; see docs/runtime.md."""
