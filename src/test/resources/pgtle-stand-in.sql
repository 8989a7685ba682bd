-- A stand-in for the part of pg_tle's schema that sql/pgtle/adapter.sql uses, with pg_tle's
-- names and signatures (pg_tle 1.x): enough to run the pg_tle forms of credsync's scripts in a
-- test database where pg_tle itself cannot be installed. Written for credsync's tests, not
-- pg_tle's code; a test database only.
CREATE SCHEMA pgtle;
CREATE TYPE pgtle.pg_tle_features AS ENUM ('passcheck');
CREATE TYPE pgtle.password_types AS ENUM ('PASSWORD_TYPE_PLAINTEXT', 'PASSWORD_TYPE_MD5',
                                          'PASSWORD_TYPE_SCRAM_SHA_256');
CREATE TABLE pgtle.feature_info (
    feature       pgtle.pg_tle_features,
    schema_name   text,
    proname       text,
    obj_identity  text NOT NULL,
    PRIMARY KEY (feature, schema_name, proname)
);
CREATE FUNCTION pgtle.register_feature(proc regproc, feature pgtle.pg_tle_features) RETURNS void
    LANGUAGE sql
AS $$
    INSERT INTO pgtle.feature_info
    SELECT feature, n.nspname, p.proname, p.oid::regprocedure::text
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE p.oid = proc;
$$;
CREATE FUNCTION pgtle.register_feature_if_not_exists(proc regproc, feature pgtle.pg_tle_features) RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pgtle.register_feature(proc, feature);
    RETURN true;
EXCEPTION WHEN unique_violation THEN
    RETURN false;
END
$$;
