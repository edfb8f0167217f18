"""Mediation sessions on a case: the mediator schedules, moves, cancels and records them;
the invited parties answer; each invitation carries an iCalendar file; reminders go
before each session. A caucus with one party stays invisible to the other."""
