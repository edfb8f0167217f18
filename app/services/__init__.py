"""Use cases: check the rules, change the models, write the audit event, commit once."""
