-- credsync on RDS and Aurora: the adapter that pg_tle's passcheck feature calls.
--
-- Appended to sql/credsync.sql when the extension is installed through
-- pgtle.install_extension (see build-installer), so it is a member of the extension and
-- DROP EXTENSION removes it and its registration; and appended to every update script
-- (sql/updates) for pg_tle, so it is written to run again: CREATE OR REPLACE, and a feature
-- registered only if it is not yet.
--
-- pg_tle runs the registered function as the user who changes the password (its current
-- user, with the statement's rights), and that user needs EXECUTE on it: this adapter is
-- therefore callable by PUBLIC, and anyone may call it directly too. A direct call could add
-- an event for any managed role; the consumer publishes a password only after it has logged
-- in with it, but each such event would still cost a KMS decrypt and a login attempt made
-- from the consumer's host (a way round pg_hba.conf's host rules to guess a password). So
-- for a managed role the call is refused unless its current user could have changed that
-- password with its own ALTER ROLE: credsync.may_set_password, the server's rule for the
-- running version.
--
-- The current user is the one the server checks (GetUserId()): the role set by SET ROLE,
-- or a SECURITY DEFINER function's owner. A SECURITY DEFINER adapter would see only its own
-- owner, and session_user is not the current user (a superuser's ANALYZE runs an index
-- expression as the table's owner). So the adapter runs as its caller and inserts into a
-- view whose acting_user defaults to CURRENT_USER, a column nobody but the owner may write;
-- the trigger behind the view checks and captures with the owner's rights. The view holds
-- no rows and stores nothing: the trigger always returns null.

CREATE OR REPLACE VIEW credsync.pgtle_passcheck_call AS
    SELECT NULL::text AS role_name, NULL::text AS password, NULL::text AS password_type,
           NULL::timestamptz AS valid_until, NULL::boolean AS valid_null, NULL::name AS acting_user
     WHERE false;
ALTER VIEW credsync.pgtle_passcheck_call ALTER COLUMN acting_user SET DEFAULT CURRENT_USER;
COMMENT ON VIEW credsync.pgtle_passcheck_call IS
    'What the pg_tle adapter inserts into: the trigger records the change for a caller allowed to make it; holds no rows';

CREATE OR REPLACE FUNCTION credsync.pgtle_passcheck_record() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- An unmanaged role's change is never refused or recorded, whoever makes it.
    IF NEW.role_name IS NULL OR NOT credsync.is_managed(NEW.role_name) THEN
        RETURN NULL;
    END IF;
    IF NOT credsync.may_set_password(NEW.acting_user, NEW.role_name) THEN
        RAISE EXCEPTION 'permission denied to record a password change of role "%"', NEW.role_name
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Role "' || NEW.acting_user || '" could not change that password with its own ALTER ROLE.',
                  HINT = 'Only the role itself, a superuser, or a role the server lets alter it (CREATEROLE; on PostgreSQL 16 and later also ADMIN OPTION on the role) changes a role''s password.';
    END IF;
    PERFORM credsync.capture(NEW.role_name, NEW.password, NEW.password_type, NEW.valid_until, NEW.valid_null);
    RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER pgtle_passcheck_record INSTEAD OF INSERT ON credsync.pgtle_passcheck_call
    FOR EACH ROW EXECUTE FUNCTION credsync.pgtle_passcheck_record();
REVOKE ALL ON FUNCTION credsync.pgtle_passcheck_record() FROM PUBLIC;

CREATE OR REPLACE FUNCTION credsync.pgtle_passcheck(username text, password text,
                                         password_type pgtle.password_types,
                                         valid_until timestamptz, valid_null boolean)
    RETURNS void
    LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO credsync.pgtle_passcheck_call (role_name, password, password_type, valid_until, valid_null)
    VALUES (username, password, password_type::text, valid_until, valid_null);
END
$$;
COMMENT ON FUNCTION credsync.pgtle_passcheck(text, text, pgtle.password_types, timestamptz, boolean) IS
    'pg_tle passcheck hook: records a managed role''s password change through credsync.capture';

GRANT USAGE ON SCHEMA credsync TO PUBLIC;
REVOKE ALL ON credsync.pgtle_passcheck_call FROM PUBLIC;
GRANT INSERT (role_name, password, password_type, valid_until, valid_null) ON credsync.pgtle_passcheck_call
    TO PUBLIC;
GRANT EXECUTE ON FUNCTION credsync.pgtle_passcheck(text, text, pgtle.password_types, timestamptz, boolean)
    TO PUBLIC;

SELECT pgtle.register_feature_if_not_exists('credsync.pgtle_passcheck(text, text, pgtle.password_types, timestamptz, boolean)'::regprocedure::oid::regproc,
                              'passcheck');
