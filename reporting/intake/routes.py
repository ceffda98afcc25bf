"""The public pages' routes, in one list that ``create_app`` registers."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from reporting.intake.language_routes import switch_form_language, switch_mailbox_language
from reporting.intake.legal_routes import legal_notice
from reporting.intake.mailbox_routes import MailboxController
from reporting.intake.pow_routes import ProofOfWorkController
from reporting.intake.report_routes import IntakeController

INTAKE_ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    IntakeController,
    MailboxController,
    ProofOfWorkController,
    switch_form_language,
    switch_mailbox_language,
    legal_notice,
]
