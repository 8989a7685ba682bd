-- credsync on RDS and Aurora: the adapter that pg_tle's passcheck feature calls.
--
-- Appended to sql/credsync.sql when the extension is installed through
-- pgtle.install_extension (see build-installer), so it is a member of the extension and
-- DROP EXTENSION removes it and its registration.
--
-- pg_tle runs the registered function as the user who changes the password, and that
-- user needs EXECUTE on it: this adapter is therefore the one function PUBLIC may execute.
-- It hands its arguments to credsync.capture with the owner's rights. A direct call could
-- add an event for any managed role; the consumer publishes a password only after it has
-- logged in with it, but each such event would still cost a KMS decrypt and a login attempt
-- made from the consumer's host (a way round pg_hba.conf's host rules to guess a password).
-- So a direct call is refused unless the session's user could have changed that password
-- anyway: its own password, or as a role that may change others' (superuser or CREATEROLE,
-- itself or through a role it can SET ROLE to), or as a role allowed to call credsync.rotate.
-- session_user, not current_user: inside this SECURITY DEFINER function current_user is
-- the owner.

CREATE FUNCTION credsync.pgtle_passcheck(username text, password text,
                                         password_type pgtle.password_types,
                                         valid_until timestamptz, valid_null boolean)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF username IS DISTINCT FROM session_user
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles r
                       WHERE (r.rolsuper OR r.rolcreaterole)
                         AND pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER'))
       AND NOT pg_catalog.has_function_privilege(session_user,
                   'credsync.rotate(text, integer, text)'::pg_catalog.regprocedure, 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied to record a password change of role "%"', username
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Only the role itself, a role with CREATEROLE or a superuser changes a role''s password.';
    END IF;
    PERFORM credsync.capture(username, password, password_type::text, valid_until, valid_null);
END
$$;
COMMENT ON FUNCTION credsync.pgtle_passcheck(text, text, pgtle.password_types, timestamptz, boolean) IS
    'pg_tle passcheck hook: records a managed role''s password change through credsync.capture';

GRANT USAGE ON SCHEMA credsync TO PUBLIC;
GRANT EXECUTE ON FUNCTION credsync.pgtle_passcheck(text, text, pgtle.password_types, timestamptz, boolean)
    TO PUBLIC;

SELECT pgtle.register_feature('credsync.pgtle_passcheck(text, text, pgtle.password_types, timestamptz, boolean)'::regprocedure::oid::regproc,
                              'passcheck');
