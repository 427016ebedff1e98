"""``python -m sync`` runs the command line."""

from sync.cli import main

if __name__ == "__main__":
    main()
