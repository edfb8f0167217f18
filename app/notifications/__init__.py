"""Messages to people: the outbox (when a message may go out, and what happened to it),
the channels that carry it (email, SMS) and the texts themselves.

Use cases call :func:`app.notifications.outbox.queue_message` inside their transaction;
the worker (``app.queue.deliver_outbox``) sends what is due.
"""
