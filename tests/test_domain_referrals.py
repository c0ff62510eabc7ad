"""Council referrals as plain data: what the liaison types, what became of a referral, and
the report's "referred by the council" figures with the report's suppression."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.models import NeedStatus
from domain.referrals import (
    ReferralFacts,
    ReferralStatus,
    ReferralTally,
    contact_note,
    council_reference,
    first_name,
    referral_figures,
    status_of,
    steps,
    weekly_referrals,
)

T0 = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)


def test_what_the_liaison_types_is_checked() -> None:
    assert council_reference("  ASC-2025   0042 ") == "ASC-2025 0042"
    assert council_reference("") is None and council_reference("x" * 41) is None
    assert first_name(" Dorothea ") == "Dorothea"
    assert first_name("07700 900456") is None and first_name("@doro") is None
    assert first_name("") is None and first_name("D" * 41) is None
    assert contact_note("07700 900456, after 2pm") == "07700 900456, after 2pm"
    assert contact_note("ring her daughter") is None
    assert contact_note("12345") is None  # too few digits to ring
    assert contact_note("0" * 101) is None


def facts(status: NeedStatus, **times: datetime | str | None) -> ReferralFacts:
    return ReferralFacts(council_ref="R1", referred_at=T0, need_status=status, **times)  # type: ignore[arg-type]


def test_the_status_and_steps_of_a_referral() -> None:
    assert status_of(facts(NeedStatus.REFERRED)) is ReferralStatus.WAITING
    assert steps(facts(NeedStatus.REFERRED)) == []
    taken = T0 + timedelta(minutes=10)
    matched = T0 + timedelta(hours=1)
    done = T0 + timedelta(days=2)
    assert status_of(facts(NeedStatus.OPEN, taken_at=taken)) is ReferralStatus.TAKEN
    full = facts(NeedStatus.DONE, taken_at=taken, matched_at=matched, done_at=done)
    assert status_of(full) is ReferralStatus.DONE
    assert steps(full) == [
        (ReferralStatus.TAKEN, timedelta(minutes=10)),
        (ReferralStatus.MATCHED, timedelta(hours=1)),
        (ReferralStatus.DONE, timedelta(days=2)),
    ]
    # Back from a volunteer who couldn't do it: taken, looking again, no "volunteer found".
    assert steps(facts(NeedStatus.OPEN, taken_at=taken)) == [
        (ReferralStatus.TAKEN, timedelta(minutes=10))
    ]
    # Cancelled (its coordinator left) reads as closed without help.
    closed = facts(NeedStatus.CANCELLED, taken_at=taken, closed_at=done)
    assert status_of(closed) is ReferralStatus.CLOSED
    assert steps(closed)[-1] == (ReferralStatus.CLOSED, timedelta(days=2))
    declined = facts(
        NeedStatus.CLOSED, declined_at=taken, closed_at=taken, decline_reason="Personal care"
    )
    assert status_of(declined) is ReferralStatus.DECLINED
    assert steps(declined) == [(ReferralStatus.DECLINED, timedelta(minutes=10))]


def test_referral_figures_are_suppressed_like_the_report() -> None:
    few = referral_figures(
        [ReferralTally(referred=3, matched=2, met=2, hours=3.0, match_hours=(1.0, 2.0))], 12.5
    )
    assert (few.referred.text, few.met.text) == ("<5", "<5")
    # What would describe a small count goes with it.
    assert (few.median_hours.text, few.hours.text) == ("*", "*")
    assert few.pounds is not None and few.pounds.text == "*"
    many = referral_figures(
        [
            ReferralTally(area="A", referred=4, matched=3, met=3, hours=3.0, match_hours=(1, 2, 3)),
            ReferralTally(area="B", referred=3, matched=2, met=2, hours=2.5, match_hours=(4, 5)),
        ],
        12.5,
    )
    assert (many.referred.text, many.met.text, many.median_hours.text) == ("7", "5", "3.0")
    assert many.hours.text == "5.5" and many.pounds is not None and many.pounds.text == "£68.75"
    none = referral_figures([])
    assert (none.referred.text, none.median_hours.text, none.hours.text) == ("0", "–", "0")
    assert none.empty and none.pounds is None


def test_a_weeks_referral_figures_cant_be_worked_out_by_subtraction() -> None:
    tallies = [
        ReferralTally(area="A", category="X", bucket=0, referred=3),
        ReferralTally(area="B", category="X", bucket=0, referred=6),
        ReferralTally(area="A", category="X", bucket=1, referred=7),
    ]
    cells = weekly_referrals(tallies, 2, ["A", "B"], ["X", "Y"])
    # Week 0 adds up to 9 (what /report for that week shows): the 3 alone would be pinned
    # by it, so the 6 is held back too.
    assert cells[(0, "A", "X")].referred.text == "<5"
    assert cells[(0, "B", "X")].referred.text == "*"
    assert cells[(0, "A", "Y")].referred.text == "0"
    assert cells[(1, "A", "X")].referred.text == "7"
    assert cells[(1, "A", "X")].referred.value == 7
