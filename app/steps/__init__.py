"""The debtor's guided path through a case: one page per step, a progress tracker, drafts
kept for later, and the facts that decide the current step (:mod:`app.rules.debtor_steps`)."""
