"""Case statuses: the values stored in the database, and the words residents and staff read."""

from bot.storage.tickets import DONE_STATUSES, OPEN_STATUSES, STATUS_LABELS, TicketStatus


def test_the_stored_values_stay_those_already_in_the_database():
    assert [status.value for status in TicketStatus] == [
        "new",
        "in_progress",
        "waiting_info",
        "mediation",
        "reopened",
        "resolved",
        "closed",
        "cancelled",
    ]
    assert all(status == status.value for status in TicketStatus)


def test_every_status_is_open_or_done_and_has_words_for_residents_and_staff():
    assert set(OPEN_STATUSES) | set(DONE_STATUSES) == set(TicketStatus)
    assert not set(OPEN_STATUSES) & set(DONE_STATUSES)
    assert all(status.resident_label and status.staff_label for status in TicketStatus)
    assert STATUS_LABELS["waiting_info"] == TicketStatus.WAITING_INFO.resident_label == "等待您补充情况"
    assert TicketStatus("waiting_info").staff_label == "待居民补充"
