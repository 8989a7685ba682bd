-- credsync 0.1.0 -> 0.2.0: what brings a database installed with 0.1.0's sql/credsync.sql to
-- today's. Run by ALTER EXTENSION credsync UPDATE (native: installed beside the full script by
-- sql/native/Makefile; pg_tle: through pgtle.install_update_path, followed by
-- sql/pgtle/adapter.sql, which re-creates the adapter whole). docs/upgrading.md is the convention.
--
-- Runs inside ALTER EXTENSION: no transaction control, no psql meta-commands. What it creates
-- becomes a member of the extension. UpgradeIT fails when the schema it leaves differs from a
-- fresh install of sql/credsync.sql (functions, tables, constraints, indexes, views, grants,
-- comments), so a change to credsync.sql needs its delta here.
--
-- Order: table, type and view changes first, then every function created or changed since 0.1.0
-- (CREATE OR REPLACE, or DROP and CREATE where the signature or result type changed), then the
-- grants, ending with the revokes that keep new functions from PUBLIC (a new function is
-- executable by PUBLIC until revoked).

-- ---------------------------------------------------------------------------------------
-- Alerts that can be cleared: dismissals, and which failures still need action
-- ---------------------------------------------------------------------------------------

-- An operator's decision that a failed or rejected event needs no action (the role was dropped,
-- the wrong password was a typo corrected since): written only by credsync.dismiss, kept for the
-- record. It takes the event out of credsync.failed_event's open ones, the failed-events alarm.
CREATE TABLE credsync.dismissal (
    outbox_id     bigint PRIMARY KEY REFERENCES credsync.delivery (outbox_id),
    reason        text NOT NULL CHECK (pg_catalog.btrim(reason) <> '' AND pg_catalog.length(reason) <= 1000),
    -- The session's login role (session_user) that called credsync.dismiss.
    dismissed_by  text NOT NULL,
    dismissed_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE credsync.dismissal IS
    'Failed or rejected events an operator dismissed with credsync.dismiss: who, when and why';

-- Every failed or rejected event, and whether it still needs action: the one definition that the
-- failed-events metric, `credsync status` and `credsync replay --all-failed` share. resolved_by is
-- null while it needs action; else 'dismissed' (credsync.dismiss), 'synced' (this change or a
-- newer one of the role was written to the secret since; changes are ordered as the consumer
-- orders them, a replay ranking as its original) or 'replayed' (a later attempt at this change
-- exists, and that one counts).
CREATE VIEW credsync.failed_event AS
SELECT d.outbox_id, d.event_id, d.role_name, d.status, d.reason, d.delivered_at,
       CASE WHEN x.outbox_id IS NOT NULL THEN 'dismissed'
            WHEN EXISTS (SELECT FROM credsync.delivery s JOIN credsync.outbox so ON so.id = s.outbox_id
                          WHERE s.role_name = d.role_name AND s.status = 'synced'
                            AND COALESCE(so.replay_of, so.id) >= COALESCE(o.replay_of, o.id)) THEN 'synced'
            WHEN EXISTS (SELECT FROM credsync.outbox n
                          WHERE n.id > o.id AND n.replay_of = COALESCE(o.replay_of, o.id)) THEN 'replayed'
       END AS resolved_by,
       x.dismissed_by, x.dismissed_at, x.reason AS dismissal_reason
  FROM credsync.delivery d
  JOIN credsync.outbox o ON o.id = d.outbox_id
  LEFT JOIN credsync.dismissal x ON x.outbox_id = d.outbox_id
 WHERE d.status IN ('failed', 'rejected');
COMMENT ON VIEW credsync.failed_event IS
    'Failed and rejected events; resolved_by is null for those that still need action';

-- ---------------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------------

-- Whoever may call this decides what the failed-events alarm counts: grant it to the operators who
-- answer that alarm, not to the consumer.
CREATE FUNCTION credsync.dismiss(outbox_id bigint, reason text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    outcome text;
BEGIN
    IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
        RAISE EXCEPTION 'a dismissal needs a reason'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Say why the event needs no action, e.g. credsync.dismiss(42, ''role dropped'').';
    END IF;
    SELECT d.status INTO outcome FROM credsync.delivery d WHERE d.outbox_id = dismiss.outbox_id;
    IF NOT FOUND THEN
        IF EXISTS (SELECT FROM credsync.outbox o WHERE o.id = dismiss.outbox_id) THEN
            RAISE EXCEPTION 'credsync event % is still pending: only a failed or rejected event can be dismissed', outbox_id
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        RAISE EXCEPTION 'no credsync event with id %', outbox_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'List events with `credsync events` or SELECT id FROM credsync.outbox.';
    END IF;
    IF outcome NOT IN ('failed', 'rejected') THEN
        RAISE EXCEPTION 'credsync event % is %, not failed or rejected: only those can be dismissed', outbox_id, outcome
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO credsync.dismissal (outbox_id, reason, dismissed_by)
    VALUES (dismiss.outbox_id, pg_catalog.btrim(reason), session_user)
    ON CONFLICT ON CONSTRAINT dismissal_pkey DO NOTHING;
    RETURN FOUND;
END
$$;
COMMENT ON FUNCTION credsync.dismiss(bigint, text) IS
    'Records that a failed or rejected event needs no action, with who and why; returns false if it was dismissed already (the first dismissal stands)';

-- ---------------------------------------------------------------------------------------
-- Grants: every update ends so, as sql/credsync.sql does
-- ---------------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA credsync FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA credsync FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA credsync FROM PUBLIC;
