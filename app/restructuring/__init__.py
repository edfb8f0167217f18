"""Restructuring an agreement in force: the debtor's request, the answers, and the
supplementary agreement (补充协议) drafted, rendered and signed like the agreement."""
