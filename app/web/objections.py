"""(Being built.)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("objections", __name__)
