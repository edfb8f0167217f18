"""Certificates the organisation signs when a case closes: that mediation failed
(调解终结/调解不成证明) and that the agreement was performed (结清证明)."""
