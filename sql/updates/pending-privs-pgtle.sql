-- privs (issue 16 item 1), pg_tle installs only, after pending-privs.sql: the adapter runs
-- as its caller and records through the view credsync.pgtle_passcheck_call, whose trigger
-- refuses a managed role's change that the caller's current user could not have made
-- (credsync.may_set_password). Same signature, grants and pg_tle registration as 0.1.0.

CREATE VIEW credsync.pgtle_passcheck_call AS
    SELECT NULL::text AS role_name, NULL::text AS password, NULL::text AS password_type,
           NULL::timestamptz AS valid_until, NULL::boolean AS valid_null, NULL::name AS acting_user
     WHERE false;
ALTER VIEW credsync.pgtle_passcheck_call ALTER COLUMN acting_user SET DEFAULT CURRENT_USER;
COMMENT ON VIEW credsync.pgtle_passcheck_call IS
    'What the pg_tle adapter inserts into: the trigger records the change for a caller allowed to make it; holds no rows';

CREATE FUNCTION credsync.pgtle_passcheck_record() RETURNS trigger
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
CREATE TRIGGER pgtle_passcheck_record INSTEAD OF INSERT ON credsync.pgtle_passcheck_call
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

