-- issue 15 (cluster): brings a database installed with credsync 0.1.0 to the cluster-wide
-- schema. Folded into the 0.1.0 -> 0.2.0 update script at merge. Idempotent.
--
-- New: credsync.publish_patterns and credsync.cluster_patterns (the managed patterns'
-- cluster-wide copy that credsync_passcheck reads in a database without credsync), manage and
-- unmanage keeping that copy in step, is_managed reading it too, and the view
-- credsync.role_status; capture refuses a managed role's change made from a template database.

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

-- capture: refuses a managed role's change made from a template database, which no slot streams.
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
END
$$;

REVOKE ALL ON FUNCTION credsync.publish_patterns(text[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION credsync.cluster_patterns() FROM PUBLIC;

-- The patterns of a 0.1.0 install join the cluster-wide copy (native install only).
SELECT credsync.publish_patterns(ARRAY(SELECT m.pattern FROM credsync.managed_role m), '{}');
