"""Every ``tools/`` command line: argument parsing, then one call into the
library, with one error convention (:mod:`.errors`) and ``--help`` showing
the defaults (:mod:`.parser`). One module per tool, named after it; each has
``build_parser()`` and ``main(argv=None) -> int`` (``tools/X.py`` is
``sys.exit(main())``).

Not imported by ``import mmlgd``: a tool imports only its own module.
"""
