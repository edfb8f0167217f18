"""Repayments: the agreement in force performed to the last fen (journey 7).

The plan is derived from the agreement's frozen terms (:mod:`app.rules.repayment_plan`);
only payments are stored. The creditor records payments; the debtor reports one with proof
and the creditor confirms or disputes it. Paying the last fen closes the case as performed.
"""
