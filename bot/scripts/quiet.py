"""Rasa's command line without the deprecation warnings its libraries raise (used by bot/scripts/*.sh).

``python -m bot.scripts.quiet run ...`` is ``rasa run ...`` with the warnings listed in
``LIBRARY_WARNINGS`` ignored: each by the module it is reported from and its category, so a
warning of the project's own code (``actions.*``, ``bot.*``) or a new one of a library still
shows in the logs. ``LOG_LEVEL=debug`` makes the scripts call ``rasa`` itself, with every warning.

Why not ``PYTHONWARNINGS`` or ``-W``: Python puts those filters first at start-up, but libraries
add theirs in front later. Sanic does ``filterwarnings("once", category=DeprecationWarning)`` on
import and Rasa ``filterwarnings("once", category=UserWarning)`` at start (pyparsing's warnings
are both), so every warning after those lines passed the ``-W`` filters by. Here the filters are
put back in front whenever a library changes the list.
"""

from __future__ import annotations

import re
import sys
import warnings
from typing import Any, Callable, Tuple, Type

# (module the warning is reported from, with its submodules; category). All are warnings about
# the libraries' own imports or calls, which the project can neither fix nor avoid.
LIBRARY_WARNINGS: Tuple[Tuple[str, Type[Warning]], ...] = (
    ("typer", DeprecationWarning),  # click 8.2 deprecates names Typer imports
    ("spacy.cli", DeprecationWarning),  # the same for spaCy's command line
    ("rasa.shared.utils.validation", DeprecationWarning),  # `import pkg_resources`
    ("pkg_resources", DeprecationWarning),  # declare_namespace() of mpl_toolkits and ruamel
    ("tensorflow", DeprecationWarning),  # jax.xla_computation
    ("matplotlib", DeprecationWarning),  # pyparsing 3 renamed the methods it calls
    ("packaging", DeprecationWarning),  # the same
    ("sanic_cors", DeprecationWarning),  # distutils' LooseVersion
    ("rasa.core.tracker_store", DeprecationWarning),  # SQLAlchemy 2.0 notices about Rasa's SQL store
)


def _module_pattern(module: str) -> str:
    """The module and its submodules, as ``warnings.filterwarnings`` matches ``module``."""
    return re.escape(module) + r"(\.|\Z)"


def keep_library_warnings_quiet() -> None:
    """Ignores ``LIBRARY_WARNINGS`` from now on in this process (and the workers it forks)."""
    add_filter, set_simple_filter = warnings.filterwarnings, warnings.simplefilter

    def put_ours_first() -> None:
        # filterwarnings() removes an equal filter before inserting it at the front.
        for module, category in LIBRARY_WARNINGS:
            add_filter("ignore", category=category, module=_module_pattern(module))

    def after(change: Callable[..., None]) -> Callable[..., None]:
        def changed(*args: Any, **kwargs: Any) -> None:
            change(*args, **kwargs)
            put_ours_first()

        return changed

    # Libraries bind these names when they import them (Sanic: `from warnings import
    # filterwarnings`), so they are replaced before Rasa is imported.
    warnings.filterwarnings = after(add_filter)
    warnings.simplefilter = after(set_simple_filter)
    put_ours_first()


def main() -> None:
    """Runs Rasa's command line with the arguments given to this module."""
    keep_library_warnings_quiet()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
