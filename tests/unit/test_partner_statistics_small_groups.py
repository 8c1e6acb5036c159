"""P12: partner statistics never show a group of fewer than k accounts, and never let one be worked
out by subtraction: whatever shown rows a reader takes away from the true total (which a reader may
well know: "MailExpert serves 1,234 customers"), what is left is no account or at least k. (A
table with no rows publishes nothing to subtract from.) Proved on random populations with hypothesis; the groups are worked out here, independently."""

from itertools import combinations

from hypothesis import given, settings

from chalicelib.partner_statistics.aggregation import (K, OTHER, AccountRecord, MonthUse, accounts_by_plan,
                                                       accounts_by_region, mailings_by_month, rates_by_plan)
from tests.unit.partner_statistics_data import (known_month, known_plan, known_region, populations,
                                                thresholds)


def subsets(rows):
    """Every subset of the rows; none for a table without rows: it says nothing."""
    if not rows:
        return
    for size in range(len(rows) + 1):
        yield from combinations(rows, size)


def assert_no_small_remainder(rows, members_of, everyone, k):
    """For every subset of the rows, the accounts outside it are none or at least k."""
    for chosen in subsets(rows):
        covered = set().union(*(members_of(row) for row in chosen)) if chosen else set()
        left = everyone - covered
        assert not left or len(left) >= k, (chosen, len(left))


def account_groups(records, known, attribute):
    groups: dict[str, set] = {}
    for position, record in enumerate(records):
        groups.setdefault(known(getattr(record, attribute)), set()).add(position)
    return groups


def check_account_table(table, records, known, dimension, k):
    groups = account_groups(records, known, dimension)
    named = [row for row in table.rows if row[dimension] != OTHER]
    shown_labels = {row[dimension] for row in named}

    def members_of(row):
        if row[dimension] != OTHER:
            return groups[row[dimension]]
        return set(range(len(records))) - set().union(*(groups[name] for name in shown_labels))

    for row in table.rows:
        # every row is the true count of its group, and that group is at least k accounts
        assert row["accounts"] == len(members_of(row)) >= k, row
        assert row[dimension] == OTHER or known(row[dimension]) == row[dimension]
    # what no row names (labels outside the vocabulary, groups too small) is "other" or nothing
    assert_no_small_remainder(table.rows, members_of, set(range(len(records))), k)
    # a group of 1 to k-1 accounts never has a row of its own
    for name, members in groups.items():
        if 0 < len(members) < k:
            assert name not in shown_labels
    # AND nothing is suppressed needlessly: from k accounts on, the rows add up to all of them
    assert sum(row["accounts"] for row in table.rows) == (len(records) if len(records) >= k else 0)


@settings(max_examples=300, deadline=None)
@given(populations, thresholds)
def test_accounts_per_plan_show_no_group_under_k_nor_a_derivable_one(records, k):
    # GIVEN random accounts WHEN counted per plan THEN every row is >= k and no remainder is small
    check_account_table(accounts_by_plan(records, k), records, known_plan, "plan", k)


@settings(max_examples=300, deadline=None)
@given(populations, thresholds)
def test_accounts_per_region_show_no_group_under_k_nor_a_derivable_one(records, k):
    check_account_table(accounts_by_region(records, k), records, known_region, "region", k)


@settings(max_examples=300, deadline=None)
@given(populations, thresholds)
def test_monthly_mailings_come_from_k_accounts_a_row_and_leave_no_small_remainder(records, k):
    # GIVEN random accounts' monthly use; a month's group is the accounts that mailed in it
    active: dict[str | None, set] = {}
    totals: dict[str | None, list] = {}
    for position, record in enumerate(records):
        for use in record.months:
            if use.mailings or use.recipients:
                month = known_month(use.month)
                active.setdefault(month, set()).add(position)
                sums = totals.setdefault(month, [0, 0])
                sums[0] += use.mailings
                sums[1] += use.recipients
    # WHEN the monthly table is made
    table = mailings_by_month(records, k)
    named = {row["month"] for row in table.rows if row["month"] != OTHER}
    every_contribution = {(month, p) for month, members in active.items() for p in members}

    def contributions(row):
        months = [row["month"]] if row["month"] != OTHER else [m for m in active if m not in named]
        return {(month, p) for month in months for p in active[month]}

    # THEN each row's figures are the true sums, from at least k distinct accounts
    for row in table.rows:
        mine = contributions(row)
        assert len({p for _, p in mine}) >= k, row
        months = {month for month, _ in mine}
        assert row["mailings"] == sum(totals[m][0] for m in months)
        assert row["recipients"] == sum(totals[m][1] for m in months)
    # AND whatever rows are taken away from the totals, the rest comes from none or k accounts
    for chosen in subsets(table.rows):
        covered = set().union(*(contributions(row) for row in chosen)) if chosen else set()
        left = {p for _, p in every_contribution - covered}
        assert not left or len(left) >= k
    # AND a quiet month has no row of its own
    for month, members in active.items():
        if len(members) < k:
            assert month not in named
    # AND nothing is suppressed needlessly: with k accounts mailing at all, the rows hold all their mail
    mailing = set().union(set(), *active.values())
    assert sum(row["recipients"] for row in table.rows) == (
        sum(sums[1] for sums in totals.values()) if len(mailing) >= k else 0)


@settings(max_examples=300, deadline=None)
@given(populations, thresholds)
def test_rates_per_plan_only_for_k_sending_accounts_and_open_rates_only_for_k_measuring_opens(records, k):
    # GIVEN random accounts; the group of a rate is the accounts that sent campaign mail
    senders: dict[str | None, set] = {}
    for position, record in enumerate(records):
        if record.sent > 0:
            senders.setdefault(known_plan(record.plan), set()).add(position)
    # WHEN the rates are worked out
    table = rates_by_plan(records, k)
    named = {row["plan"] for row in table.rows if row["plan"] != OTHER}

    def members_of(row):
        if row["plan"] != OTHER:
            return senders[row["plan"]]
        return set().union(set(), *(members for plan, members in senders.items() if plan not in named))

    for row in table.rows:
        members = members_of(row)
        # THEN a rate describes at least k sending accounts, and is the true rate of their mail
        assert len(members) >= k, row
        sent = sum(records[p].sent for p in members)
        bounced = sum(min(records[p].sent, records[p].bounced) for p in members)
        assert row["delivery_rate"] == round((sent - bounced) / sent, 4)
        assert row["bounce_rate"] == round(bounced / sent, 4)
        # AND an open rate only where at least k of them counted opens
        measuring = [p for p in members if records[p].tracked_sent - min(records[p].tracked_sent,
                                                                            records[p].tracked_bounced) > 0]
        if row["open_rate"] is not None:
            assert len(measuring) >= k
            assert 0.0 <= row["open_rate"] <= 1.0
        else:
            assert len(measuring) < k
    assert_no_small_remainder(table.rows, members_of, set().union(set(), *senders.values()), k)
    for plan, members in senders.items():
        if len(members) < k:
            assert plan not in named


def test_one_small_plan_beside_big_ones_is_not_left_to_subtraction():
    # GIVEN 100 free accounts, 30 starter and 3 professional: hiding only "professional" would let
    # anyone who knows there are 133 customers subtract it (133 - 100 - 30 = 3)
    records = ([AccountRecord("free", "NL")] * 100 + [AccountRecord("starter", "NL")] * 30
               + [AccountRecord("professional", "NL")] * 3)
    # WHEN counted per plan
    rows = accounts_by_plan(records).rows
    # THEN the smallest shown plan joins the small one in "other"
    assert rows == ({"plan": "free", "accounts": 100}, {"plan": OTHER, "accounts": 33})


def test_fewer_than_k_accounts_in_all_show_nothing():
    # GIVEN nine accounts WHEN counted THEN no table has a row
    records = [AccountRecord("free", "NL", (MonthUse("2026-11", 1, 10),), sent=10, tracked_sent=10,
                             unique_opens=5)] * (K - 1)
    assert all(not table(records).rows for table in (accounts_by_plan, accounts_by_region, mailings_by_month,
                                                    rates_by_plan))
    # AND the tenth account makes each a single row
    records.append(records[0])
    assert accounts_by_plan(records).rows == ({"plan": "free", "accounts": K},)
    assert mailings_by_month(records).rows == ({"month": "2026-11", "mailings": K, "recipients": 10 * K},)
    assert rates_by_plan(records).rows == ({"plan": "free", "delivery_rate": 1.0, "bounce_rate": 0.0,
                                            "open_rate": 0.5},)
