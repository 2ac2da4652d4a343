"""Files → YAML nodes with positions → plain data: what a definition or an override file says,
before anyone asks what it means.

The one reader of every file a command is given (:mod:`~reglament.source.files`: regular files
only, size caps, UTF-8 at a position), the YAML 1.2 reader that keeps every node's position
(:mod:`~reglament.source.yaml_reader`, the one home of PyYAML) and the plain data with
``extends`` resolved (:mod:`~reglament.source.document`). It sits below the calendar, whose
override files it reads, and knows nothing of what a definition means: the models, the
semantic checks and the facade ``load`` are :mod:`reglament.loader`'s.
"""
