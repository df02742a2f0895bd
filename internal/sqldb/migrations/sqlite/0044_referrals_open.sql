-- An organisation's open referrals with what makes one overdue (issue 14):
-- the task card's overdue list read every open referral's row to compare its
-- response and due dates (the card's p50 was 51 ms at a million people on
-- SQLite, 6 ms with these); these answer it from the index.
CREATE INDEX referrals_to_open ON referrals(to_org_id, state, due_date, respond_by) WHERE state IN ('sent', 'accepted', 'in_progress');
CREATE INDEX referrals_from_open ON referrals(from_org_id, state, due_date, respond_by) WHERE state IN ('sent', 'accepted', 'in_progress');
