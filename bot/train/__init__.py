"""Fitting the answer engine's ranker and refusal on real questions (`python -m bot train`).

Training only: it needs the ``train`` extra (scipy) and question sets on disk; serving reads
the file it writes (``bot/core/data/ranker.json``) and needs neither.
"""
