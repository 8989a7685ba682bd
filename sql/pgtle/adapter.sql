-- credsync on RDS and Aurora: the adapter that pg_tle's passcheck feature calls.
--
-- Appended to sql/credsync.sql when the extension is installed through
-- pgtle.install_extension (see build-installer), so it is a member of the extension and
-- DROP EXTENSION removes it and its registration.
--
-- pg_tle runs the registered function as the user who changes the password, and that
-- user needs EXECUTE on it: this adapter is therefore the one function PUBLIC may execute.
-- It does nothing but hand its arguments to credsync.capture with the owner's rights; a
-- direct call can only add an event for a managed role, encrypted like any other, and the
-- consumer publishes a password only after it has logged in with it.

CREATE FUNCTION credsync.pgtle_passcheck(username text, password text,
                                         password_type pgtle.password_types,
                                         valid_until timestamptz, valid_null boolean)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT credsync.capture(username, password, password_type::text, valid_until, valid_null)
$$;
COMMENT ON FUNCTION credsync.pgtle_passcheck(text, text, pgtle.password_types, timestamptz, boolean) IS
    'pg_tle passcheck hook: records a managed role''s password change through credsync.capture';

GRANT USAGE ON SCHEMA credsync TO PUBLIC;
GRANT EXECUTE ON FUNCTION credsync.pgtle_passcheck(text, text, pgtle.password_types, timestamptz, boolean)
    TO PUBLIC;

SELECT pgtle.register_feature('credsync.pgtle_passcheck(text, text, pgtle.password_types, timestamptz, boolean)'::regprocedure::oid::regproc,
                              'passcheck');
