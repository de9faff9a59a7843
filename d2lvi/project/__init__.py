"""Operations on the book's tree: importing a d2l-vn section (template or plain d2l-en) with
its images, pinned upstream, table of contents, stored outputs and Colab notebook.

An adapter over the cores: may import ``source``, ``translation``, ``outputs``, ``export`` and
``config``; never Sphinx, never ``site`` or ``build``.
"""
