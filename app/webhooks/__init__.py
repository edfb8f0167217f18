"""Webhooks: a creditor organisation's own systems told of what happens on its cases,
signed per the Standard Webhooks specification (:mod:`app.rules.webhooks`)."""
