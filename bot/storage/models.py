"""Every model in one import, for migrations and table creation."""

from bot.storage.dead_letters import DeadLetter
from bot.storage.dialogues import DialogueState
from bot.storage.directory import Unit
from bot.storage.faq import FaqDraft, FaqEntry
from bot.storage.login_attempts import LoginAttempts
from bot.storage.messages import Message
from bot.storage.outbox import OutboundMessage
from bot.storage.privacy_requests import PrivacyRequest
from bot.storage.residents import Resident
from bot.storage.review import ModelVersion, ReviewItem
from bot.storage.staff import AuditEntry, CannedAnswer, CaseNote, Handoff, Staff, StaffRoom
from bot.storage.tickets import Ticket, TicketAttachment, TicketEvent

__all__ = [
    "DeadLetter",
    "DialogueState",
    "AuditEntry",
    "CannedAnswer",
    "CaseNote",
    "Handoff",
    "StaffRoom",
    "FaqDraft",
    "FaqEntry",
    "LoginAttempts",
    "Message",
    "ModelVersion",
    "OutboundMessage",
    "PrivacyRequest",
    "Resident",
    "ReviewItem",
    "Staff",
    "Ticket",
    "TicketAttachment",
    "TicketEvent",
    "Unit",
]
