"""``python -m socialvalue`` runs the CLI."""

from socialvalue.commands import main

main()
