"""The mediation record (调解笔录) of each held session: written by the mediator on the
session's contact record, confirmed by the parties' signatures, sealed by the mediator's,
kept in the case file and carried in the judicial-confirmation package as proof that the
organisation presided (人民调解法 Art. 27)."""
