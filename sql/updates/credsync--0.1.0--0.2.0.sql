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
-- Who may set whose password: the server's own rule, for rotate and pg_tle's adapter
-- ---------------------------------------------------------------------------------------

-- Whether acting_user, as the current user, could set role_name's password with its own ALTER
-- ROLE (or CREATE ROLE, for a role that does not exist yet): AlterRole's checks in
-- src/backend/commands/user.c, for a password change, by the running major version.
--   15:  a superuser role, or a REPLICATION role, only by a superuser (even its own
--        password); otherwise a superuser, a CREATEROLE role, or the role itself.
--   16+: a superuser role only by a superuser; otherwise a superuser, the role itself, or a
--        CREATEROLE role that has ADMIN OPTION on it (is_admin_of_role).
-- Role attributes are not inherited: only the acting role's own count, as the server's
-- superuser() and have_createrole_privilege() read GetUserId()'s. ADMIN OPTION does come
-- through memberships, as pg_has_role(..., 'MEMBER WITH ADMIN OPTION') reads it.
-- Executable by PUBLIC: it reads only what pg_roles and pg_has_role already tell anyone.
CREATE FUNCTION credsync.may_set_password(acting_user name, role_name text) RETURNS boolean
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    actor   record;
    target  record;
BEGIN
    SELECT r.oid, r.rolsuper, r.rolcreaterole INTO actor
      FROM pg_catalog.pg_roles r WHERE r.rolname = acting_user;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF actor.rolsuper THEN
        RETURN true;
    END IF;
    SELECT r.oid, r.rolsuper, r.rolreplication INTO target
      FROM pg_catalog.pg_roles r WHERE r.rolname = may_set_password.role_name;
    IF NOT FOUND THEN
        -- CREATE ROLE ... PASSWORD: the hook runs before the role exists, and only a superuser
        -- or a CREATEROLE role gets that far.
        RETURN actor.rolcreaterole;
    END IF;
    IF target.rolsuper THEN
        RETURN false;
    END IF;
    IF pg_catalog.current_setting('server_version_num')::integer >= 160000 THEN
        RETURN target.oid = actor.oid
            OR (actor.rolcreaterole
                AND pg_catalog.pg_has_role(actor.oid, target.oid, 'MEMBER WITH ADMIN OPTION'));
    END IF;
    IF target.rolreplication THEN
        RETURN false;
    END IF;
    RETURN actor.rolcreaterole OR target.oid = actor.oid;
END
$$;
COMMENT ON FUNCTION credsync.may_set_password(name, text) IS
    'Whether acting_user could set role_name''s password with its own ALTER ROLE, by the running server''s rules';

-- ---------------------------------------------------------------------------------------
-- Rotation from SQL: a new random password that nobody sees
-- ---------------------------------------------------------------------------------------

-- A SECURITY DEFINER function cannot tell who called it: inside, current_user is its owner,
-- and session_user or SET ROLE's setting are not who runs a nested call (a function of
-- another owner, an index expression during a superuser's ANALYZE). So the caller's own
-- identity is taken where the server still knows it: rotate runs as its caller and inserts
-- into this view, whose requested_by defaults to CURRENT_USER, a column nobody but the owner
-- may write; the trigger behind it does the work with the owner's rights. The view holds no
-- rows and stores nothing.
CREATE VIEW credsync.rotation AS
    SELECT NULL::text AS role_name, NULL::integer AS length, NULL::text AS alphabet,
           NULL::name AS requested_by, NULL::uuid AS event_id
     WHERE false;
ALTER VIEW credsync.rotation ALTER COLUMN requested_by SET DEFAULT CURRENT_USER;
COMMENT ON VIEW credsync.rotation IS
    'What credsync.rotate inserts into: the trigger rotates as the owner, for a caller allowed to; holds no rows';

CREATE FUNCTION credsync.rotation_perform() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    role_name constant text := NEW.role_name;
    length    constant integer := NEW.length;
    alphabet  constant text := NEW.alphabet;
    symbols   constant integer := pg_catalog.length(alphabet);
    -- Bytes at or above this would make some symbols likelier than others: they are skipped.
    unbiased  constant integer := 256 - 256 % GREATEST(symbols, 1);
    password  text := '';
    bytes     bytea;
    b         integer;
    failed_state   text;
    failed_message text;
    failed_detail  text;
    failed_hint    text;
    newest_before  bigint;
BEGIN
    IF NEW.requested_by IS NULL
       OR NOT pg_catalog.has_function_privilege(NEW.requested_by,
                  'credsync.rotate(text, integer, text)'::pg_catalog.regprocedure, 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied for function rotate'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'An administrator grants it: GRANT EXECUTE ON FUNCTION credsync.rotate(text, integer, text) TO <role>.';
    END IF;
    IF role_name IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = role_name) THEN
        RAISE EXCEPTION 'role "%" does not exist', role_name USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT credsync.may_set_password(NEW.requested_by, role_name) THEN
        RAISE EXCEPTION 'permission denied to rotate the password of role "%"', role_name
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Role "' || NEW.requested_by || '" could not change that password with its own ALTER ROLE, and credsync.rotate does no more than that.',
                  HINT = CASE WHEN pg_catalog.current_setting('server_version_num')::integer >= 160000
                              THEN 'Only a superuser changes a superuser''s password; otherwise the role itself, or a role with CREATEROLE and ADMIN OPTION on it.'
                              ELSE 'Only a superuser changes the password of a superuser or REPLICATION role; otherwise the role itself, or a role with CREATEROLE.' END;
    END IF;
    IF NOT credsync.is_managed(role_name) THEN
        RAISE EXCEPTION 'role "%" is not managed by credsync, so a rotated password would reach no secret', role_name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'SELECT credsync.manage(<pattern matching the role>) first.';
    END IF;
    IF length IS NULL OR length < 32 OR length > 254 THEN
        RAISE EXCEPTION 'a rotated password must be 32 to 254 characters long, not %', length
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF alphabet IS NULL OR alphabet !~ '^[!-~]+$' OR symbols > 256
       OR (SELECT count(DISTINCT c) FROM pg_catalog.regexp_split_to_table(alphabet, '') AS c) < 16 THEN
        RAISE EXCEPTION 'the alphabet must be printable ASCII with at least 16 different characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    WHILE pg_catalog.length(password) < length LOOP
        bytes := credsync.random_bytes(64);
        FOR i IN 0..63 LOOP
            b := pg_catalog.get_byte(bytes, i);
            IF b < unbiased AND pg_catalog.length(password) < length THEN
                password := password || pg_catalog.substr(alphabet, b % symbols + 1, 1);
            END IF;
        END LOOP;
    END LOOP;

    SELECT pg_catalog.max(o.id) INTO newest_before FROM credsync.outbox o WHERE o.role_name = NEW.role_name;
    -- An ordinary ALTER ROLE, so that the passcheck hook captures it like any other change.
    -- Should it fail, its error is raised again without the statement, which holds the password.
    BEGIN
        EXECUTE pg_catalog.format('ALTER ROLE %I PASSWORD %L', role_name, password);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS failed_state = RETURNED_SQLSTATE, failed_message = MESSAGE_TEXT,
                                failed_detail = PG_EXCEPTION_DETAIL, failed_hint = PG_EXCEPTION_HINT;
        -- RAISE refuses a null option, hence the branches.
        IF failed_detail IS NOT NULL AND failed_hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message, DETAIL = failed_detail,
                                  HINT = failed_hint;
        ELSIF failed_hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message, HINT = failed_hint;
        ELSIF failed_detail IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message, DETAIL = failed_detail;
        ELSE
            RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message;
        END IF;
    END;

    SELECT o.event_id INTO NEW.event_id FROM credsync.outbox o
     WHERE o.role_name = NEW.role_name AND o.id > COALESCE(newest_before, 0) ORDER BY o.id DESC LIMIT 1;
    IF NEW.event_id IS NULL THEN
        -- A password that reaches no secret would lock the role's users out: undo it.
        RAISE EXCEPTION 'the new password of role "%" was not recorded, so it was not set', role_name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The passcheck hook must run: credsync_passcheck in shared_preload_libraries (and credsync_passcheck.enabled on), or pg_tle''s passcheck feature.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER rotation_perform INSTEAD OF INSERT ON credsync.rotation
    FOR EACH ROW EXECUTE FUNCTION credsync.rotation_perform();

-- Runs as its caller, so that the view above records who that is; EXECUTE on it is the grant
-- that lets a role rotate (the trigger checks it), and only what that role's own ALTER ROLE
-- could change.
CREATE OR REPLACE FUNCTION credsync.rotate(role_name text, length integer DEFAULT 32,
                                alphabet text DEFAULT 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!#%^*+=')
    RETURNS uuid
    LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    event uuid;
BEGIN
    INSERT INTO credsync.rotation (role_name, length, alphabet)
    VALUES (rotate.role_name, rotate.length, rotate.alphabet)
    RETURNING rotation.event_id INTO event;
    RETURN event;
END
$$;
COMMENT ON FUNCTION credsync.rotate(text, integer, text) IS
    'Sets a new random password for a managed role through ALTER ROLE, so that it is captured like any change; returns the event id, never the password. Refuses a role the caller could not ALTER ROLE itself';

-- ---------------------------------------------------------------------------------------
-- One installation per cluster: the managed patterns' cluster-wide copy, role_status
-- ---------------------------------------------------------------------------------------


-- The cluster-wide copy of the managed patterns, for credsync_passcheck: in a database without
-- credsync (one made from template0, or before install) it refuses a managed role's change and
-- lets any other role's through, so it must know the patterns without this schema. ALTER ROLE
-- ALL SET keeps them in pg_db_role_setting, a shared catalog that every database reads, in the
-- same transaction as the table. Patterns are added and removed rather than replaced, so that
-- several credsync installations on one cluster (a test cluster) do not undo each other's.
-- Does nothing without the native module (pg_tle), where nothing reads the copy.
CREATE OR REPLACE FUNCTION credsync.publish_patterns(added text[], removed text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    guc      constant text := 'credsync_passcheck.managed_roles';
    current  text[];
    wanted   text[];
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_settings s WHERE s.name = guc) THEN
        RETURN;
    END IF;
    -- Two transactions updating the one pg_db_role_setting row would fail ("tuple concurrently
    -- updated"); the lock is cluster-wide because the catalog is shared.
    LOCK TABLE pg_catalog.pg_db_role_setting IN SHARE ROW EXCLUSIVE MODE;
    current := credsync.cluster_patterns();
    wanted := ARRAY(SELECT DISTINCT p
                      FROM pg_catalog.unnest(COALESCE(current, '{}') || COALESCE(added, '{}')) AS p
                     WHERE p <> ALL (COALESCE(removed, '{}'))
                     ORDER BY p);
    IF wanted IS NOT DISTINCT FROM current OR (current IS NULL AND pg_catalog.cardinality(wanted) = 0) THEN
        RETURN;
    END IF;
    IF pg_catalog.cardinality(wanted) = 0 THEN
        EXECUTE pg_catalog.format('ALTER ROLE ALL RESET %s', guc);
    ELSE
        EXECUTE pg_catalog.format('ALTER ROLE ALL SET %s = %L', guc, wanted::text);
    END IF;
END
$$;

-- The cluster-wide copy as credsync_passcheck reads it; null when it was never set.
CREATE OR REPLACE FUNCTION credsync.cluster_patterns() RETURNS text[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT pg_catalog.substr(c, pg_catalog.length('credsync_passcheck.managed_roles=') + 1)::text[]
              FROM pg_catalog.pg_db_role_setting s, pg_catalog.unnest(s.setconfig) AS c
             WHERE s.setdatabase = 0 AND s.setrole = 0
               AND pg_catalog.starts_with(c, 'credsync_passcheck.managed_roles=')
             LIMIT 1);
END
$$;
COMMENT ON FUNCTION credsync.cluster_patterns() IS
    'The managed patterns as credsync_passcheck reads them in a database without credsync (ALTER ROLE ALL SET credsync_passcheck.managed_roles)';

CREATE OR REPLACE FUNCTION credsync.manage(pattern text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pattern IS NULL OR pattern = '' THEN
        RAISE EXCEPTION 'credsync.manage needs a role name or LIKE pattern'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    INSERT INTO credsync.managed_role (pattern) VALUES (manage.pattern) ON CONFLICT DO NOTHING;
    PERFORM credsync.publish_patterns(ARRAY[pattern], '{}');
END
$$;

CREATE OR REPLACE FUNCTION credsync.unmanage(pattern text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM credsync.managed_role m WHERE m.pattern = unmanage.pattern;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM credsync.publish_patterns('{}', ARRAY[pattern]);
    RETURN true;
END
$$;

-- Managed by this database's patterns, or (native install) by the cluster-wide copy: a pattern
-- added with credsync.manage() in the home database applies at once in every database, before
-- `credsync install` copies it into their tables.
CREATE OR REPLACE FUNCTION credsync.is_managed(role_name text) RETURNS boolean
    LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM credsync.managed_role m WHERE is_managed.role_name LIKE m.pattern) THEN
        RETURN true;
    END IF;
    RETURN EXISTS (SELECT FROM pg_catalog.unnest(credsync.cluster_patterns()) AS p
                    WHERE is_managed.role_name LIKE p);
END
$$;

-- One row per role that is managed now or has events in this database's outbox: the events
-- captured here (a change made from another database is in that database's outbox).
-- failed counts the failed and rejected events newer than the last synced one: an older
-- failure no longer matters once a newer password reached the secret.
CREATE OR REPLACE VIEW credsync.role_status AS
WITH roles AS (
    SELECT r.rolname::text AS role_name FROM pg_catalog.pg_roles r
     WHERE EXISTS (SELECT FROM credsync.managed_role m WHERE r.rolname LIKE m.pattern)
    UNION
    SELECT DISTINCT o.role_name FROM credsync.outbox o
), captured AS (
    SELECT o.role_name, pg_catalog.max(o.created_at) AS at, pg_catalog.max(o.id) AS id
      FROM credsync.outbox o GROUP BY o.role_name
), synced AS (
    SELECT DISTINCT ON (d.role_name) d.role_name, d.outbox_id, d.delivered_at, d.secret_arn, d.secret_version
      FROM credsync.delivery d WHERE d.status = 'synced'
     ORDER BY d.role_name, d.outbox_id DESC
), pending AS (
    SELECT o.role_name, pg_catalog.count(*) AS events, pg_catalog.min(o.created_at) AS oldest
      FROM credsync.outbox o
     WHERE NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)
     GROUP BY o.role_name
)
SELECT r.role_name,
       EXISTS (SELECT FROM pg_catalog.pg_roles x
                WHERE x.rolname = r.role_name
                  AND EXISTS (SELECT FROM credsync.managed_role m WHERE x.rolname LIKE m.pattern)) AS managed,
       c.at AS last_captured_at,
       c.id AS last_captured_id,
       s.delivered_at AS last_synced_at,
       s.outbox_id AS last_synced_id,
       s.secret_arn,
       s.secret_version,
       COALESCE(p.events, 0) AS pending,
       p.oldest AS oldest_pending_at,
       (SELECT pg_catalog.count(*) FROM credsync.delivery f
         WHERE f.role_name = r.role_name AND f.status IN ('failed', 'rejected')
           AND f.outbox_id > COALESCE(s.outbox_id, 0)) AS failed,
       dc.state AS drift_state,
       dc.checked_at AS drift_checked_at
  FROM roles r
  LEFT JOIN captured c ON c.role_name = r.role_name
  LEFT JOIN synced s ON s.role_name = r.role_name
  LEFT JOIN pending p ON p.role_name = r.role_name
  LEFT JOIN credsync.drift_check dc ON dc.role_name = r.role_name;
REVOKE ALL ON credsync.role_status FROM PUBLIC;
COMMENT ON VIEW credsync.role_status IS
    'Per role: the last captured, last synced, pending and failed events of this database''s outbox, and the last drift check';

-- A database released from credsync before DROP DATABASE (`credsync release-database`), by OID: a
-- database created later under the same name, or copied from this one, is not released. In the
-- home database a row asks the consumer to deliver what that database's outbox holds, then stop
-- streaming it, drop its slot and never stream it again; in the released database itself a row
-- makes capture refuse a managed role's change made there from then on, so that nothing is
-- captured into an outbox that no slot streams any more.
CREATE TABLE credsync.released_database (
    datoid       oid PRIMARY KEY,
    datname      name NOT NULL,
    -- The session's login role (session_user) that released it.
    released_by  text NOT NULL,
    released_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE credsync.released_database IS
    'Databases released from credsync before DROP DATABASE: in the home database, those the consumer no longer streams; in a released database, its own row, which makes capture refuse managed changes there';

REVOKE ALL ON credsync.released_database FROM PUBLIC;

-- capture: refuses a managed role's change made from a template database, which no slot streams,
-- or from a database released from credsync (released_database), which no slot streams any more.
CREATE OR REPLACE FUNCTION credsync.capture(role_name text, password text, password_type text,
                                 valid_until timestamptz, valid_null boolean) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    -- The payload's timestamps are written in UTC whatever the session's time zone.
    SET TimeZone = 'UTC'
AS $$
DECLARE
    active_key  credsync.encryption_key;
    event       uuid;
BEGIN
    IF role_name IS NULL OR NOT credsync.is_managed(role_name) THEN
        RETURN;
    END IF;

    -- From here on the role is managed: refuse rather than record something wrong.
    -- No message below may contain the password.
    IF (SELECT a.backend_type FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) a)
       = 'pg_tle_passcheck worker' THEN
        RAISE EXCEPTION 'credsync cannot record the password of role "%" from pg_tle''s background worker', role_name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'With pgtle.passcheck_db_name set, the check runs in a separate transaction that commits even if the ALTER ROLE rolls back.',
                  HINT = 'Set pgtle.passcheck_db_name to an empty string (its default) and install credsync in every database where passwords change.';
    END IF;
    -- The consumer streams no template database: a session there, its own included, would make
    -- CREATE DATABASE fail to copy it.
    IF (SELECT d.datistemplate FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()) THEN
        RAISE EXCEPTION 'credsync cannot record the password of role "%" in template database "%"',
                        role_name, pg_catalog.current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'credsync does not stream from template databases, so a change made there would never reach the secret.',
                  HINT = 'Change the password from another database.';
    END IF;
    IF password IS NULL OR password_type IS DISTINCT FROM 'PASSWORD_TYPE_PLAINTEXT' THEN
        RAISE EXCEPTION 'credsync cannot sync a password for role "%" that was hashed by the client', role_name
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Role "' || role_name || '" is managed by credsync, which needs the password itself to update its secret.',
                  HINT = 'Set the password as plaintext over an encrypted connection, e.g. ALTER ROLE ... PASSWORD ''...'', rather than psql''s \password or a pre-hashed md5/SCRAM value; or rotate it with credsync.';
    END IF;
    IF pg_catalog.octet_length(password) >= 255 THEN
        RAISE EXCEPTION 'credsync cannot sync a password of 255 bytes or more for role "%"', role_name
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'pg_tle passes at most 255 bytes of a password to its hook, so credsync could not tell a longer password from a cut one.',
                  HINT = 'Choose a password shorter than 255 bytes.';
    END IF;

    SELECT * INTO active_key FROM credsync.encryption_key k WHERE k.active;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'credsync has no active encryption key, so the password of role "%" cannot be recorded', role_name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Add the KMS key''s public key with `credsync keys add --kms-key <key>` or SELECT credsync.add_key(kid, pem).';
    END IF;

    event := pg_catalog.gen_random_uuid();
    INSERT INTO credsync.outbox (event_id, role_name, kid, envelope)
    VALUES (event, role_name, active_key.kid,
            credsync.jwe_seal(
                pg_catalog.convert_to(pg_catalog.jsonb_build_object(
                    'v', 1,
                    'event_id', event,
                    'role', role_name,
                    'password', password,
                    'valid_until', CASE WHEN valid_null THEN NULL ELSE valid_until END,
                    'database', pg_catalog.current_database(),
                    'captured_at', pg_catalog.clock_timestamp())::text, 'UTF8'),
                active_key));
    -- A released database: checked after the insert, so that `credsync release-database`, which
    -- locks the outbox against inserts while it records the release, either waits for this
    -- transaction (whose row the consumer then delivers before dropping the slot) or makes it
    -- see the release here and roll back.
    IF EXISTS (SELECT FROM credsync.released_database r JOIN pg_catalog.pg_database d ON d.oid = r.datoid
                WHERE d.datname = pg_catalog.current_database()) THEN
        RAISE EXCEPTION 'credsync cannot record the password of role "%" in database "%", which was released from credsync',
                        role_name, pg_catalog.current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The database was released before DROP DATABASE: no slot streams it, so a change made there would never reach the secret.',
                  HINT = 'Change the password from another database.';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Grants: every update ends so, as sql/credsync.sql does
-- ---------------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA credsync FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA credsync FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA credsync FROM PUBLIC;
-- rotate and pg_tle's adapter record through views that PUBLIC may insert into: the trigger
-- behind each checks its caller (credsync.may_set_password).
REVOKE ALL ON FUNCTION credsync.may_set_password(name, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION credsync.rotation_perform() FROM PUBLIC;
REVOKE ALL ON credsync.rotation FROM PUBLIC;
GRANT INSERT (role_name, length, alphabet), SELECT (event_id) ON credsync.rotation TO PUBLIC;
GRANT EXECUTE ON FUNCTION credsync.may_set_password(name, text) TO PUBLIC;
REVOKE ALL ON FUNCTION credsync.publish_patterns(text[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION credsync.cluster_patterns() FROM PUBLIC;

-- The patterns of a 0.1.0 install join the cluster-wide copy (native install only).
SELECT credsync.publish_patterns(ARRAY(SELECT m.pattern FROM credsync.managed_role m), '{}');
