"""Structured JSON logs (Powertools Logger): every line carries the request ID and the user."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="pybase")
