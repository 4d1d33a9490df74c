"""The page script of the app (served by ``app.py``): everything it does is in :func:`ui.shell.main`.

It sits at the top of the project, not in ``ui/``, because Streamlit treats a
``pages/`` folder beside the page script as pages of its own.
"""

from ui.shell import main

main()
