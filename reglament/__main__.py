"""``python -m reglament`` runs the command-line interface."""

from reglament.cli import main

main()
