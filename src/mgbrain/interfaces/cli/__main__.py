"""``python -m mgbrain.interfaces.cli``: the same as the ``mgbrain`` console script."""

from mgbrain.interfaces.cli import main

if __name__ == "__main__":
    main()
