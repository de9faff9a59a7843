"""The source convention: a chapter's bilingual blocks, d2l syntax, importing d2l-vn templates.

Pure core (text in, data out). May import: ``d2lvi.config`` only. Never Sphinx.
"""
