"""Messages to people: the outbox (when a message may go out, and what happened to it),
the channels that carry it (email, SMS), who on a case is told, and the texts themselves.

Use cases call :func:`app.notifications.outbox.queue_message` inside their transaction;
the worker (:mod:`app.notifications.tasks`) sends what is due, on the legal clock's contact
rules (:func:`app.notifications.outbox.contact_policy`).
"""
