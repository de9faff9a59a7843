"""Translation checks: the checker's rules, glossary, spelling, stale blocks and progress.

Pure core (text in, findings out) with a CLI adapter (``cli``). Runs in the light lint
environment (no MXNet, no Sphinx). May import: ``d2lvi.source``, ``d2lvi.config``.
"""
