"""Mediation that ends without agreement, on every ground (人民调解法 Arts. 17, 23, 26;
cf. 在线调解规则 Art. 24): the debtor does not answer the invitation in time, the mediation
period ends, a party asks to end it, or the mediator finds no agreement can be reached.
The parties may also agree to extend the mediation period. The debtor's own refusal is
:mod:`app.cases.joining`; the certificate that follows is :mod:`app.certificates`."""
